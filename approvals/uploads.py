"""Uploaded images, video and documents: type checked by their bytes, stored by SHA-256."""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

#: (signature check, content type, extension). Checked against the first bytes, never the name.
SIGNATURES = [
    (lambda b: b.startswith(b"\xff\xd8\xff"), "image/jpeg", "jpg"),
    (lambda b: b.startswith(b"\x89PNG\r\n\x1a\n"), "image/png", "png"),
    (lambda b: b[:6] in (b"GIF87a", b"GIF89a"), "image/gif", "gif"),
    (lambda b: b[:4] == b"RIFF" and b[8:12] == b"WEBP", "image/webp", "webp"),
    (lambda b: b[4:8] == b"ftyp" and b[8:10] == b"qt", "video/quicktime", "mov"),
    (lambda b: b[4:8] == b"ftyp", "video/mp4", "mp4"),
    (lambda b: b.startswith(b"\x1aE\xdf\xa3"), "video/webm", "webm"),
    (lambda b: b.startswith(b"%PDF-"), "application/pdf", "pdf"),
]
MEDIA_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "video/mp4",
                         "video/quicktime", "video/webm"})
EVIDENCE_TYPES = frozenset({"image/jpeg", "image/png", "application/pdf"})


class UploadError(ValueError):
    pass


@dataclass(frozen=True)
class StoredFile:
    original_name: str
    content_type: str
    size: int
    sha256: str
    path: str


def storage_root() -> Path:
    return Path(settings.PRIVATE_STORAGE_ROOT) / "approvals"


def max_bytes() -> int:
    return int(getattr(settings, "MAX_UPLOAD_BYTES", 10 * 1024 * 1024))


def sniff(head: bytes) -> tuple[str, str] | None:
    for check, content_type, ext in SIGNATURES:
        if check(head):
            return content_type, ext
    return None


def check_upload(upload, *, allowed: frozenset[str]) -> tuple[str, str]:
    """Raise UploadError unless the file is small enough and really of an allowed type."""
    limit = max_bytes()
    if upload.size > limit:
        raise UploadError(
            f"“{upload.name}” is {upload.size / 1_048_576:.1f} MB; the limit is "
            f"{limit / 1_048_576:.0f} MB."
        )
    if upload.size == 0:
        raise UploadError(f"“{upload.name}” is empty.")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    found = sniff(head)
    if found is None or found[0] not in allowed:
        kinds = ", ".join(sorted({ext for _c, t, ext in SIGNATURES if t in allowed}))
        raise UploadError(f"“{upload.name}” is not a file type we accept ({kinds}).")
    return found


def store(upload, *, allowed: frozenset[str]) -> StoredFile:
    content_type, ext = check_upload(upload, allowed=allowed)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    sha = digest.hexdigest()
    relative = f"{sha[:2]}/{sha}.{ext}"
    target = storage_root() / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(target.suffix + ".part")
        with partial.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        partial.replace(target)
    name = Path(upload.name or f"upload.{ext}").name[:255]
    return StoredFile(name, content_type, upload.size, sha, relative)


def file_path(relative: str) -> Path:
    root = storage_root().resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise UploadError("Bad file path.")
    return path


def file_sha256(relative: str) -> str | None:
    path = file_path(relative)
    if not path.exists():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
