"""Evidence files: checked by their bytes, stored privately under a random name.

The file name and the browser's Content-Type are never trusted. The first bytes decide what the
file is; the name's extension must agree with that, so `holiday.png` that is really a Windows
program is refused.
"""

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings


class EvidenceRejected(ValueError):
    """The upload is not acceptable; the message is shown to the person as it is."""


@dataclass(frozen=True)
class FileKind:
    label: str
    content_type: str
    extensions: tuple[str, ...]


PNG = FileKind("PNG image", "image/png", (".png",))
JPEG = FileKind("JPEG image", "image/jpeg", (".jpg", ".jpeg"))
GIF = FileKind("GIF image", "image/gif", (".gif",))
WEBP = FileKind("WebP image", "image/webp", (".webp",))
PDF = FileKind("PDF document", "application/pdf", (".pdf",))
HTML = FileKind("Saved web page", "text/html", (".html", ".htm"))
MHTML = FileKind("Saved web page (MHTML)", "multipart/related", (".mhtml", ".mht"))
ACCEPTED = (PNG, JPEG, GIF, WEBP, PDF, HTML, MHTML)
ACCEPTED_EXTENSIONS = tuple(ext for kind in ACCEPTED for ext in kind.extensions)

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

_BAD_NAME_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"|?*/\\]')
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                     *(f"lpt{i}" for i in range(1, 10))}


def max_bytes() -> int:
    return int(getattr(settings, "MAX_UPLOAD_BYTES", 10 * 1024 * 1024))


def storage_dir() -> Path:
    return Path(settings.PRIVATE_STORAGE_ROOT) / "breaches"


def check_name(name: str) -> str:
    """Return the name to keep, or refuse it. Path parts, control characters and hidden
    files are refused outright rather than quietly cleaned, so nobody is misled."""
    if not name or not name.strip():
        raise EvidenceRejected("The file has no name. Rename it and try again.")
    name = unicodedata.normalize("NFC", name)
    if len(name) > 150:
        raise EvidenceRejected("The file name is too long (150 characters at most).")
    if ".." in name or _BAD_NAME_CHARS.search(name):
        raise EvidenceRejected(
            "The file name contains characters that are not allowed "
            '(folders, "..", control characters or any of < > : " | ? *). Rename it and try again.'
        )
    if name.startswith(".") or name.endswith((".", " ")):
        raise EvidenceRejected("The file name must not start or end with a dot or a space.")
    stem, _, ext = name.rpartition(".")
    if not stem or f".{ext.lower()}" not in ACCEPTED_EXTENSIONS:
        raise EvidenceRejected(
            "Only screenshots (PNG, JPEG, GIF, WebP), PDF files and saved web pages "
            "(HTML, MHTML) can be attached."
        )
    if stem.split(".")[0].lower() in _WINDOWS_RESERVED:
        raise EvidenceRejected("That file name is reserved. Rename it and try again.")
    return name


def sniff(head: bytes) -> FileKind | None:
    """What the first bytes say the file is (None when it is nothing we accept)."""
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
    text = head.lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if text.startswith((b"<!doctype html", b"<html", b"<!-- saved from url")):
        return HTML
    if b"mime-version:" in text[:2048] and b"multipart/related" in text[:4096]:
        return MHTML
    return None


def identify(name: str, head: bytes) -> FileKind:
    for signature, what in _DANGEROUS:
        if head.startswith(signature):
            raise EvidenceRejected(
                f"“{name}” is really {what}, not a screenshot, PDF or saved page. "
                "It has not been attached."
            )
    kind = sniff(head)
    if kind is None:
        raise EvidenceRejected(
            f"“{name}” is not a screenshot (PNG, JPEG, GIF, WebP), PDF or saved web page. "
            "Its contents do not match any of these."
        )
    ext = "." + name.rpartition(".")[2].lower()
    if ext not in kind.extensions:
        raise EvidenceRejected(
            f"“{name}” is called {ext} but its contents are a {kind.label}. "
            f"Rename it to end in {kind.extensions[0]} if that is right."
        )
    return kind


@dataclass(frozen=True)
class StoredFile:
    original_name: str
    stored_name: str
    kind: FileKind
    size: int
    sha256: str


def store_upload(upload) -> StoredFile:
    """Check an uploaded file and write it to private storage; raise EvidenceRejected if not."""
    name = check_name(getattr(upload, "name", "") or "")
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        raise EvidenceRejected(
            f"“{name}” is {upload.size / 1048576:.1f} MB; the limit is {limit / 1048576:.0f} MB."
        )
    if not upload.size:
        raise EvidenceRejected(f"“{name}” is empty.")
    upload.seek(0)
    head = upload.read(8192)
    kind = identify(name, head)
    folder = storage_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stored_name = f"{secrets.token_hex(16)}{kind.extensions[0]}"
    target = folder / stored_name
    digest = hashlib.sha256()
    size = 0
    upload.seek(0)
    try:
        with open(target, "xb") as out:
            for chunk in upload.chunks():
                size += len(chunk)
                if size > limit:  # the declared size can lie
                    raise EvidenceRejected(
                        f"“{name}” is larger than the {limit / 1048576:.0f} MB limit."
                    )
                digest.update(chunk)
                out.write(chunk)
        target.chmod(0o600)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return StoredFile(name, stored_name, kind, size, digest.hexdigest())
