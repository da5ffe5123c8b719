"""Uploaded images, video and documents: type checked by their bytes, stored by SHA-256."""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from core import uploads
from core.uploads import UploadRejected

MEDIA_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "video/mp4",
                         "video/quicktime", "video/webm"})
EVIDENCE_TYPES = frozenset({"image/jpeg", "image/png", "application/pdf"})


@dataclass(frozen=True)
class StoredFile:
    original_name: str
    content_type: str
    size: int
    sha256: str
    path: str


def storage_root() -> Path:
    return Path(settings.PRIVATE_STORAGE_ROOT) / "approvals"


def check_upload(upload, *, allowed: frozenset[str]) -> tuple[str, str]:
    """(content type, extension) of a file really of an allowed type whose name agrees, or
    UploadRejected (core.uploads.check_upload)."""
    kinds = [uploads.BY_CONTENT_TYPE[content_type] for content_type in sorted(allowed)]
    _name, kind = uploads.check_upload(upload, allowed=kinds)
    return kind.content_type, kind.extensions[0].lstrip(".")


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
        raise UploadRejected("Bad file path.")
    return path


def file_sha256(relative: str) -> str | None:
    path = file_path(relative)
    if not path.exists():
        return None
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
