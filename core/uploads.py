"""The one upload check of the portal: what a file is comes from its bytes, and its name must agree.

Every upload (report evidence, approval images/video/evidence, staff import files, registered
policy documents) goes through `check_upload`: the browser's Content-Type is never trusted,
programs and archives are refused whatever they are called (Word and OpenDocument files only
where asked for, and only when the package really is one), the name's extension must match
the content (a PNG/HTML polyglot named `invoice.html` is a PNG called .html: refused), and an
image that carries web page code is refused. Downloads use `download_name` and
`download_content_type`, so a saved file is named for what it really is.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

from core.errors import Refused


class UploadRejected(Refused, ValueError):
    """The upload is not acceptable; the message is shown to the person as it is."""


@dataclass(frozen=True)
class FileKind:
    label: str
    short: str
    content_type: str
    extensions: tuple[str, ...]

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


PNG = FileKind("PNG image", "PNG", "image/png", (".png",))
JPEG = FileKind("JPEG image", "JPEG", "image/jpeg", (".jpg", ".jpeg"))
GIF = FileKind("GIF image", "GIF", "image/gif", (".gif",))
WEBP = FileKind("WebP image", "WebP", "image/webp", (".webp",))
PDF = FileKind("PDF document", "PDF", "application/pdf", (".pdf",))
HTML = FileKind("Saved web page", "HTML", "text/html", (".html", ".htm"))
MHTML = FileKind("Saved web page (MHTML)", "MHTML", "multipart/related", (".mhtml", ".mht"))
MP4 = FileKind("MP4 video", "MP4", "video/mp4", (".mp4", ".m4v"))
MOV = FileKind("QuickTime video", "MOV", "video/quicktime", (".mov",))
WEBM = FileKind("WebM video", "WebM", "video/webm", (".webm",))
CSV = FileKind("CSV file", "CSV", "text/csv", (".csv",))
DOCX = FileKind("Word document", "Word (.docx)",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                (".docx",))
ODT = FileKind("OpenDocument text", "OpenDocument (.odt)",
               "application/vnd.oasis.opendocument.text", (".odt",))
RTF = FileKind("Rich Text document", "RTF", "application/rtf", (".rtf",))
TEXT = FileKind("Plain-text file", "plain text (.txt)", "text/plain", (".txt",))
KINDS = (PNG, JPEG, GIF, WEBP, PDF, HTML, MHTML, MP4, MOV, WEBM, CSV, DOCX, ODT, RTF, TEXT)
#: Office documents are ZIP packages: accepted only where asked for, and only when the
#: package really is one (checked on the whole file by `_office_kind`).
_PACKAGES = (DOCX, ODT)
BY_CONTENT_TYPE = {kind.content_type: kind for kind in KINDS}

#: Signatures of things that must never be accepted, whatever they are called.
_DANGEROUS = (
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a Linux program"),
    (b"\xcf\xfa\xed\xfe", "a macOS program"),
    (b"\xce\xfa\xed\xfe", "a macOS program"),
    (b"\xca\xfe\xba\xbe", "a program"),
    (b"#!", "a script"),
    (b"PK\x03\x04", "a ZIP archive or Office document"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\xd0\xcf\x11\xe0", "an old-style Office document"),
)
#: Web page code inside an image: the image is a polyglot, refused whatever it is called.
_MARKUP = re.compile(rb"<\s*(script|html|!doctype|iframe|svg|body|object|embed)\b", re.I)
_BAD_NAME_CHARS = re.compile(r'[\x00-\x1f\x7f-\x9f<>:"|?*/\\]')
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                     *(f"lpt{i}" for i in range(1, 10))}
HEAD_BYTES = 8192


def max_bytes() -> int:
    return int(getattr(settings, "MAX_UPLOAD_BYTES", 10 * 1024 * 1024))


def accepted(kinds: Iterable[FileKind]) -> str:
    """'PNG, JPEG or PDF' for messages."""
    names = list(dict.fromkeys(kind.short for kind in kinds))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def check_name(name: str, allowed: Iterable[FileKind], *, kept: bool = True) -> str:
    """The name to keep, or UploadRejected. Path parts, control characters and hidden files
    are refused outright rather than quietly cleaned, so nobody is misled. A file whose name
    is not kept (`kept=False`: read once, e.g. a staff import) needs only the right extension."""
    allowed = tuple(allowed)
    if not name or not name.strip():
        raise UploadRejected("The file has no name. Rename it and try again.")
    name = unicodedata.normalize("NFC", name)
    if not kept:
        if not any(name.lower().endswith(ext) for kind in allowed for ext in kind.extensions):
            raise UploadRejected(f"“{name}” is not a file type we accept ({accepted(allowed)}).")
        return name
    if len(name) > 150:
        raise UploadRejected("The file name is too long (150 characters at most).")
    if ".." in name or _BAD_NAME_CHARS.search(name):
        raise UploadRejected(
            "The file name contains characters that are not allowed "
            '(folders, "..", control characters or any of < > : " | ? *). Rename it and try again.'
        )
    if name.startswith(".") or name.endswith((".", " ")):
        raise UploadRejected("The file name must not start or end with a dot or a space.")
    stem, _, ext = name.rpartition(".")
    if not stem or not any(f".{ext.lower()}" in kind.extensions for kind in allowed):
        raise UploadRejected(f"“{name}” is not a file type we accept ({accepted(allowed)}).")
    if stem.split(".")[0].lower() in _WINDOWS_RESERVED:
        raise UploadRejected("That file name is reserved. Rename it and try again.")
    return name


def _is_text(head: bytes) -> bool:
    """No control characters (the encoding is left to the reader, which explains it)."""
    return not re.search(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]", head)


def sniff(head: bytes, allowed: Iterable[FileKind] = KINDS) -> FileKind | None:
    """What the first bytes say the file is (None when it is nothing we know)."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    if head[4:8] == b"ftyp":
        return MOV if head[8:10] == b"qt" else MP4
    if head.startswith(b"\x1aE\xdf\xa3"):
        return WEBM
    if head.startswith(b"{\\rtf"):
        return RTF
    text = head.lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if text.startswith((b"<!doctype html", b"<html", b"<!-- saved from url")):
        return HTML
    if b"mime-version:" in text[:2048] and b"multipart/related" in text[:4096]:
        return MHTML
    if _is_text(head) and not _MARKUP.search(head):
        for kind in (CSV, TEXT):
            if kind in tuple(allowed):
                return kind
    return None


def _office_kind(upload, allowed: tuple[FileKind, ...]) -> FileKind | None:
    """DOCX or ODT when the ZIP package holds that kind of document (and nothing runnable);
    None when it is some other archive."""
    import zipfile

    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as package:
            names = set(package.namelist())
            if any(n.lower().endswith((".exe", ".dll", ".bat", ".cmd", ".js", ".vbs", ".sh"))
                   or "vbaProject.bin" in n for n in names):
                return None
            if DOCX in allowed and "word/document.xml" in names \
                    and "[Content_Types].xml" in names:
                return DOCX
            if ODT in allowed and "mimetype" in names and package.read("mimetype").strip() \
                    == b"application/vnd.oasis.opendocument.text":
                return ODT
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
    finally:
        upload.seek(0)
    return None


def identify(name: str, head: bytes, allowed: Iterable[FileKind]) -> FileKind:
    """The kind of an upload whose name has passed `check_name`, or UploadRejected."""
    allowed = tuple(allowed)
    for signature, what in _DANGEROUS:
        if head.startswith(signature):
            raise UploadRejected(
                f"“{name}” is really {what}: not a file type we accept ({accepted(allowed)}). "
                "It has not been attached."
            )
    kind = sniff(head, allowed)
    if kind is None or kind not in allowed:
        raise UploadRejected(
            f"“{name}” is not a file type we accept ({accepted(allowed)}): "
            + ("its contents do not match any of these." if kind is None
               else f"its contents are a {kind.label}.")
        )
    _check_extension(name, kind)
    if kind.is_image and _MARKUP.search(head):
        raise UploadRejected(
            f"“{name}” is a {kind.label} with web page code inside it, which is how harmful "
            "files disguise themselves. Take a fresh screenshot and attach that instead."
        )
    return kind


def _check_extension(name: str, kind: FileKind) -> None:
    ext = "." + name.rpartition(".")[2].lower()
    if ext not in kind.extensions:
        raise UploadRejected(
            f"“{name}” is called {ext} but its contents are a {kind.label}. "
            f"Rename it to end in {kind.extensions[0]} if that is right."
        )


def check_upload(upload, *, allowed: Iterable[FileKind], limit: int | None = None,
                 name_kept: bool = True) -> tuple[str, FileKind]:
    """(name to keep, kind) for an uploaded file, or UploadRejected with the reason.
    Reads only the first bytes; the file is left at its start."""
    allowed = tuple(allowed)
    name = check_name(getattr(upload, "name", "") or "", allowed, kept=name_kept)
    limit = max_bytes() if limit is None else limit
    if upload.size is not None and upload.size > limit:
        raise UploadRejected(
            f"“{name}” is {upload.size / 1_048_576:.1f} MB; the limit is "
            f"{limit / 1_048_576:.0f} MB."
        )
    if not upload.size:
        raise UploadRejected(f"“{name}” is empty.")
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    if head.startswith(b"PK\x03\x04") and any(kind in allowed for kind in _PACKAGES):
        kind = _office_kind(upload, allowed)
        if kind is not None:
            _check_extension(name, kind)
            return name, kind
    return name, identify(name, head, allowed)


def download_content_type(content_type: str) -> str:
    """The stored type when it is one the portal knows, else a plain download."""
    return content_type if content_type in BY_CONTENT_TYPE else "application/octet-stream"


def download_name(name: str, content_type: str) -> str:
    """A file name safe to hand to the browser: no folders or control characters, and an
    extension matching the content (a PNG stored as `invoice.html` downloads as
    `invoice.html.png`, so it opens as the image it is)."""
    name = _BAD_NAME_CHARS.sub("_", unicodedata.normalize("NFC", name or "")).strip(" .")
    name = name[-150:] or "file"
    kind = BY_CONTENT_TYPE.get(content_type)
    if kind is not None and "." + name.rpartition(".")[2].lower() not in kind.extensions:
        name = f"{name}{kind.extensions[0]}"
    return name
