"""Where finished packs live, and for how long."""

import datetime
import hashlib
from pathlib import Path

from django.conf import settings

#: Days a finished pack file is kept before the cleanup task deletes it. Override with
#: settings.AUDIT_PACK_RETENTION_DAYS or the environment variable of the same name.
DEFAULT_RETENTION_DAYS = 30


def pack_dir() -> Path:
    folder = Path(settings.PRIVATE_STORAGE_ROOT) / "auditpacks"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def retention() -> datetime.timedelta:
    days = getattr(settings, "AUDIT_PACK_RETENTION_DAYS", None)
    if days in (None, ""):
        import os

        days = os.environ.get("AUDIT_PACK_RETENTION_DAYS") or DEFAULT_RETENTION_DAYS
    return datetime.timedelta(days=max(1, int(days)))


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
