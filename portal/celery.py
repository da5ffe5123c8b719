import os
import warnings

from celery import Celery
from celery.exceptions import SecurityWarning

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

if os.environ.get("DEBUG", "").lower() in ("1", "true", "yes", "on"):
    # Development (scripts/dev) often runs as root in a container; the warning is about
    # production, where the image runs the worker as the unprivileged "portal" user.
    warnings.filterwarnings("ignore", category=SecurityWarning)

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Log lines written inside a task carry its ID and name (core/logs.py).
from core.logs import connect_celery  # noqa: E402

connect_celery()
