"""The one function every feature calls to record a state change."""

from typing import Any

from django.db import models

from audit.models import AuditEvent


def client_ip(request) -> str | None:
    if request is None:
        return None
    # REMOTE_ADDR is set by gunicorn from the proxy; the proxy is trusted to overwrite it.
    return request.META.get("REMOTE_ADDR") or None


def actor_label(actor) -> str:
    """How a person is named in a record (the audit trail, a case timeline, a version's
    history): kept as text, so the record still says who it was if the account goes."""
    return f"{actor.full_name} <{actor.email}>" if actor is not None else "system"


def audit_log(**event) -> AuditEvent:
    """Append an event (the arguments of `audit_event`). Call inside the same transaction as
    the change it records."""
    appended = audit_event(**event)
    appended.save()
    return appended


def audit_event(
    *,
    action: str,
    actor=None,
    obj: models.Model | None = None,
    summary: str = "",
    changes: dict[str, Any] | None = None,
    request=None,
) -> AuditEvent:
    """The event `audit_log` appends, not yet saved: for a writer that saves it in the same
    transaction as the change it records, once it knows the record's id
    (`acknowledgements.chain.append`)."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if actor is not None and not getattr(actor, "is_authenticated", True):
        actor = None
    return AuditEvent(
        action=action,
        actor=actor,
        actor_label=actor_label(actor),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        summary=summary,
        changes=changes or {},
        ip_address=client_ip(request),
    )
