import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Log lines written inside a task carry its ID and name (core/logs.py).
from core.logs import connect_celery  # noqa: E402

connect_celery()
