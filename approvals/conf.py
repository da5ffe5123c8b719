"""Optional settings: a Django setting if defined, else the environment variable, else a default."""

import os

from django.conf import settings


def setting(name: str, default: str) -> str:
    return str(getattr(settings, name, os.environ.get(name, default)))
