"""Evidence files: checked by their bytes, stored privately under a random name.

The file name and the browser's Content-Type are never trusted: core.uploads.check_upload (the
portal's one upload check) decides from the first bytes, and the name's extension must agree, so
`holiday.png` that is really a Windows program is refused.
"""

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from core import uploads
from core.uploads import (
    GIF,
    HTML,
    JPEG,
    MHTML,
    PDF,
    PNG,
    WEBP,
    FileKind,
    UploadRejected,
    max_bytes,
)

#: The portal's one upload check (core.uploads) decides; this module keeps what evidence is.
ACCEPTED = (PNG, JPEG, GIF, WEBP, PDF, HTML, MHTML)


def storage_dir() -> Path:
    return Path(settings.PRIVATE_STORAGE_ROOT) / "breaches"


def check_name(name: str) -> str:
    """Return the name to keep, or refuse it (core.uploads.check_name)."""
    return uploads.check_name(name, ACCEPTED)


def identify(name: str, head: bytes) -> FileKind:
    return uploads.identify(name, head, ACCEPTED)


@dataclass(frozen=True)
class StoredFile:
    original_name: str
    stored_name: str
    kind: FileKind
    size: int
    sha256: str


def store_upload(upload) -> StoredFile:
    """Check an uploaded file and write it to private storage; raise UploadRejected if not."""
    name, kind = uploads.check_upload(upload, allowed=ACCEPTED)
    limit = max_bytes()
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
                    raise UploadRejected(
                        f"“{name}” is larger than the {limit / 1048576:.0f} MB limit."
                    )
                digest.update(chunk)
                out.write(chunk)
        target.chmod(0o600)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return StoredFile(name, stored_name, kind, size, digest.hexdigest())
