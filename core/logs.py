"""Logs as one JSON object per line, with the request (or Celery task) they belong to; Sentry's
personal-data scrubber. No Django models are imported here: settings load this module.

Every line carries `request_id` (also sent back as the X-Request-ID header, see
core/request_id.py) and `user_id` (a number, never a name or email) when there is one. Email
addresses in messages are replaced by "[email]" as a last line of defence: log IDs, not people.
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
import re

request_var: contextvars.ContextVar = contextvars.ContextVar("portal_request", default=None)
request_id_var: contextvars.ContextVar = contextvars.ContextVar("portal_request_id",
                                                                default=None)
task_var: contextvars.ContextVar = contextvars.ContextVar("portal_task", default=None)

EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
# Signed-link tokens and other long secrets in paths (e.g. /acknowledgements/link/<token>/).
TOKEN = re.compile(r"(?<=/)[\w:.-]{24,}(?=/|$)")
_RECORD_FIELDS = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message", "asctime", "request_id", "user_id", "task_id", "task_name", "taskName"}


def redact(text: str) -> str:
    return EMAIL.sub("[email]", text)


def current_user_id() -> int | None:
    """The signed-in person's ID if the request already loaded them (never queries)."""
    request = request_var.get()
    user = getattr(request, "user", None) if request is not None else None
    if user is None:
        return None
    from django.utils.functional import empty

    wrapped = getattr(user, "_wrapped", user)  # Django's lazy request.user
    if wrapped is None or wrapped is empty:  # not loaded by the request: do not query
        return None
    if getattr(wrapped, "is_authenticated", False):
        return wrapped.pk
    return None


class ContextFilter(logging.Filter):
    """Adds request_id, user_id and the Celery task to every record (None outside them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        if getattr(record, "user_id", None) is None:
            record.user_id = current_user_id()
        task = task_var.get()
        record.task_id, record.task_name = task if task else (None, None)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, context, extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC)
            .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for key in ("request_id", "user_id", "task_id", "task_name"):
            value = getattr(record, key, None)
            if value is not None:
                data[key] = value
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and not key.startswith("_"):
                data[key] = redact(value) if isinstance(value, str) else value
        if record.exc_info:
            data["exception"] = redact(self.formatException(record.exc_info))
        if record.stack_info:
            data["stack"] = self.formatStack(record.stack_info)
        return json.dumps(data, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """The development format, with the request ID when there is one."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s%(context)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        record.context = f" [{request_id[:8]}]" if request_id else ""
        return super().format(record)


# --- Celery: the task a log line comes from ----------------------------------------------------

def connect_celery() -> None:
    from celery.signals import task_postrun, task_prerun

    @task_prerun.connect(weak=False)
    def _task_started(task_id=None, task=None, **kwargs):
        task_var.set((task_id, getattr(task, "name", None)))

    @task_postrun.connect(weak=False)
    def _task_finished(**kwargs):
        task_var.set(None)


# --- Sentry -----------------------------------------------------------------------------------

SAFE_HEADERS = {"content-type", "content-length", "host", "x-request-id", "accept",
                "x-forwarded-proto"}


def _scrub(value):
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    return value


def _drop_frame_vars(container: dict | None) -> None:
    for item in (container or {}).get("values", []) or []:
        for frame in (item.get("stacktrace") or {}).get("frames", []) or []:
            frame.pop("vars", None)


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """Sentry before_send: keep what finds the bug, drop what identifies a person."""
    request = event.get("request")
    if request:
        for key in ("cookies", "data", "query_string", "env"):
            request.pop(key, None)
        headers = request.get("headers") or {}
        request["headers"] = {key: value for key, value in headers.items()
                              if key.lower() in SAFE_HEADERS}
        if request.get("url"):
            request["url"] = TOKEN.sub("[token]", request["url"])
    user = event.get("user")
    if user:
        event["user"] = {"id": user["id"]} if user.get("id") is not None else {}
    _drop_frame_vars(event.get("exception"))
    _drop_frame_vars(event.get("threads"))
    for key in ("message", "logentry", "exception", "extra", "breadcrumbs", "contexts"):
        if key in event:
            event[key] = _scrub(event[key])
    for crumb in (event.get("breadcrumbs") or {}).get("values", []) or []:
        crumb.pop("data", None)
    request_id = request_id_var.get()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    user_id = current_user_id()
    if user_id is not None and not event.get("user"):
        event["user"] = {"id": user_id}
    return event


def sentry_init(*, dsn: str, environment: str = "production", **options) -> None:
    """Report errors from web requests and Celery tasks, without personal data."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn, environment=environment, send_default_pii=False,
        include_local_variables=False, max_request_body_size="never",
        before_send=scrub_event, traces_sample_rate=0.0,
        integrations=[DjangoIntegration(), CeleryIntegration()], **options,
    )
