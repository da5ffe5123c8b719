"""The version lifecycle: the one table of moves (who may make each), and the one function
that applies a move, records it and tells the next people to act."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from accounts.permissions import can
from audit.services import audit_log
from notifications.services import notify
from policies.addenda import academies_without_addendum
from policies.common import (
    PolicyError,
    TransitionNotAllowed,
    _json_safe,
    _people_with_role,
    lower_first,
    owner_and_hr,
    version_url,
)
from policies.models import PolicyVersion, VersionEvent
from policies.reviews import review_on_publication
from policies.signals import version_published, version_withdrawn

S = PolicyVersion.Status


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    permission: str
    label: str
    help: str = ""


#: The one table of lifecycle moves: (from, to) -> who may make it (a permission code).
TRANSITIONS: dict[tuple[str, str], Transition] = {
    (t.source, t.target): t
    for t in [
        Transition(S.DRAFT, S.CONSULTATION, "policies.manage",
                   "Start consultation with the trade unions (JNC)",
                   "The text is frozen while the recognised trade unions are consulted."),
        Transition(S.DRAFT, S.AWAITING_APPROVAL, "policies.manage",
                   "Skip consultation and send for CEO approval",
                   "Only where consultation does not apply; say why."),
        Transition(S.DRAFT, S.WITHDRAWN, "policies.manage", "Abandon this draft",
                   "The draft is kept in the history but never published."),
        Transition(S.CONSULTATION, S.AWAITING_APPROVAL, "policies.manage",
                   "Close consultation and send for CEO approval",
                   "Record when consultation ended and what the unions said."),
        Transition(S.CONSULTATION, S.DRAFT, "policies.manage", "Return to draft for changes"),
        Transition(S.AWAITING_APPROVAL, S.APPROVED, "policies.approve", "Approve as CEO"),
        Transition(S.AWAITING_APPROVAL, S.DRAFT, "policies.approve",
                   "Return to draft without approving"),
        Transition(S.APPROVED, S.RATIFIED, "policies.ratify",
                   "Record LGB Cluster ratification",
                   "Give the date of the meeting that ratified it."),
        Transition(S.RATIFIED, S.PUBLISHED, "policies.manage", "Publish",
                   "The previous version becomes superseded. Say whether staff must "
                   "acknowledge it again."),
        Transition(S.PUBLISHED, S.WITHDRAWN, "policies.approve", "Withdraw this policy",
                   "Staff will no longer be asked to read or acknowledge it."),
    ]
}


def transitions_from(status: str) -> list[Transition]:
    return [t for (source, _), t in TRANSITIONS.items() if source == status]


def transitions_for(version: PolicyVersion, user) -> list[Transition]:
    """The moves this person may make on this version now."""
    return [t for t in transitions_from(version.status) if can(user, t.permission)]


def _as_date(value, field: str, *, required: bool = False) -> datetime.date | None:
    if value in (None, ""):
        if required:
            raise PolicyError(f"give the {field}")
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise PolicyError(f"the {field} is not a date") from None


def version_transition(
    *, version: PolicyVersion, to_status: str, actor, reason: str, request=None, **details
) -> PolicyVersion:
    """Apply one lifecycle move: check the table and the role, save, record, notify.

    ``details`` by move: ``on`` (date it happened, any move); consultation start:
    ``bodies``; consultation end: ``comments``; ratification: ``ratified_on`` (required),
    ``meeting``; publication: ``change_kind`` ("material"/"minor") and ``change_summary``.
    """
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = PolicyVersion.objects.select_for_update().select_related("policy").get(
            pk=version.pk
        )
        source = locked.status
        transition = TRANSITIONS.get((source, to_status))
        if transition is None:
            raise TransitionNotAllowed(
                f"a version that is {lower_first(locked.get_status_display())} cannot become "
                f"{lower_first(S(to_status).label) if to_status in S.values else to_status}"
            )
        if not can(actor, transition.permission):
            roles = ", ".join(sorted(_roles_for(transition.permission)))
            raise TransitionNotAllowed(
                f"only {roles} may do this ({lower_first(transition.label)})")
        if not reason:
            raise PolicyError("give a reason or comment for the record")

        now = timezone.now()
        given_on = details.pop("on", None)
        occurred_on = _as_date(given_on, "date") or timezone.localdate()
        event_details: dict[str, object] = {}
        previous = None
        if to_status == S.CONSULTATION:
            event_details["bodies"] = (details.get("bodies") or
                                       "Joint Negotiating Council (JNC) / recognised trade unions")
        elif source == S.DRAFT and to_status == S.AWAITING_APPROVAL:
            locked.consultation_skipped_reason = reason
            event_details["consultation_skipped"] = True
        elif source == S.CONSULTATION and to_status == S.AWAITING_APPROVAL:
            event_details["comments"] = details.get("comments", "")
        elif to_status == S.APPROVED:
            # Approval recorded after the event (e.g. from a cover sheet) keeps its real date.
            approved_at = now if given_on is None else timezone.make_aware(
                datetime.datetime.combine(occurred_on, datetime.time(12, 0))
            )
            locked.approved_by, locked.approved_at = actor, approved_at
            if locked.warnings:  # the import warnings were shown to the approver
                event_details["warnings_shown"] = [w["message"] for w in locked.warnings]
        elif to_status == S.RATIFIED:
            ratified_on = _as_date(
                details.get("ratified_on") or given_on, "ratification date", required=True
            )
            if ratified_on > timezone.localdate():
                raise PolicyError("the ratification date cannot be in the future")
            occurred_on = ratified_on
            locked.ratified_on, locked.ratified_recorded_by = ratified_on, actor
            event_details["meeting"] = details.get("meeting", "")
        elif to_status == S.PUBLISHED:
            change_kind = details.get("change_kind") or ""
            summary = (details.get("change_summary") or "").strip()
            if change_kind not in PolicyVersion.ChangeKind.values:
                raise PolicyError("say whether the change is material or minor")
            if not summary:
                raise PolicyError("give a change summary for staff")
            previous = (
                PolicyVersion.objects.select_for_update()
                .filter(policy=locked.policy, status=S.PUBLISHED).exclude(pk=locked.pk).first()
            )
            if previous is not None:
                previous.status = S.SUPERSEDED
                previous.save(update_fields=["status"])
                VersionEvent.objects.create(
                    version=previous, from_status=S.PUBLISHED, to_status=S.SUPERSEDED,
                    actor=actor, actor_label=_label(actor), occurred_on=occurred_on,
                    reason=f"Superseded by version {locked.label}.",
                )
                locked.previous = previous
            locked.change_kind, locked.change_summary = change_kind, summary
            # Publication recorded after the event (the demo's 2023 version) keeps its date.
            locked.published_at = now if given_on is None else timezone.make_aware(
                datetime.datetime.combine(occurred_on, datetime.time(12, 0)))
            event_details.update(change_kind=change_kind, change_summary=summary,
                                 academies_without_addendum=[
                                     a.name for a in academies_without_addendum(locked)])
        elif to_status == S.WITHDRAWN:
            locked.withdrawn_at = now

        locked.status = to_status
        locked.save()
        event = VersionEvent.objects.create(
            version=locked, from_status=source, to_status=to_status, actor=actor,
            actor_label=_label(actor), reason=reason, occurred_on=occurred_on,
            details=_json_safe(event_details),
        )
        audit_log(
            action=f"policies.version_{to_status}" if to_status != S.DRAFT
            else "policies.version_returned",
            actor=actor, obj=locked, request=request,
            summary=f"{locked.policy.title} {locked.label}: {transition.label}. {reason}",
            changes={"status": [source, to_status], "reason": reason,
                     "occurred_on": occurred_on.isoformat(), **_json_safe(event_details)},
        )
        _notify_transition(locked, event, actor)
        if to_status == S.PUBLISHED:
            review_on_publication(version=locked, actor=actor)
            locked.policy.refresh_from_db()  # its review dates just moved
            version_published.send(
                sender=PolicyVersion, version=locked, previous=previous, actor=actor,
                material=locked.change_kind == PolicyVersion.ChangeKind.MATERIAL,
            )
        elif to_status == S.WITHDRAWN and source == S.PUBLISHED:
            version_withdrawn.send(sender=PolicyVersion, version=locked, actor=actor)
    version.refresh_from_db()
    return locked


def _label(actor) -> str:
    return f"{actor.full_name} <{actor.email}>" if actor is not None else "system"


def _roles_for(permission: str) -> set[str]:
    from accounts.permissions import PERMISSIONS

    labels = dict(Role.choices)
    return {labels.get(role, role) for role in PERMISSIONS[permission]}


def _notify_transition(version: PolicyVersion, event: VersionEvent, actor) -> None:
    title = f"{version.policy.title} {version.label}"
    url = version_url(version)
    recipients: list[User] = []
    message = ""
    if version.status == S.AWAITING_APPROVAL:
        recipients, message = _people_with_role(Role.CEO), f"{title} is awaiting your approval"
    elif version.status == S.APPROVED:
        recipients = owner_and_hr(version.policy)
        message = f"{title} was approved by the CEO: record the LGB Cluster ratification"
    elif version.status == S.RATIFIED:
        recipients, message = owner_and_hr(version.policy), f"{title} is ready to publish"
    elif version.status == S.DRAFT and version.created_by is not None:
        recipients, message = [version.created_by], f"{title} was returned to draft"
    for person in recipients:
        if person != actor:
            notify(recipient=person, kind=f"policies.version_{version.status}", title=message,
                   body=event.reason, url=url, about=version, period=f"event-{event.pk}")


def version_publish(
    *, version: PolicyVersion, actor, change_kind: str, change_summary: str, reason: str = "",
    request=None, on=None,
) -> PolicyVersion:
    """Publish a ratified version (the previous one becomes superseded)."""
    return version_transition(
        version=version, to_status=S.PUBLISHED, actor=actor, request=request,
        reason=reason or change_summary.strip() or "Published", change_kind=change_kind,
        change_summary=change_summary,
        on=on,
    )
