"""The version lifecycle: the one table of moves (`VERSIONS`, in the portal's one workflow shape,
`core.workflow`), the one function that applies a move and records it, and each move's own
handlers (what it checks and changes, and who it tells next)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from accounts.permissions import can
from audit.services import actor_label, audit_log
from core.workflow import Move, Step, Workflow
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
_MANAGE, _APPROVE, _RATIFY = {"policies.manage"}, {"policies.approve"}, {"policies.ratify"}

#: The one table of lifecycle moves; `who` is the permission code that allows each.
VERSIONS = Workflow("version", [
    Move("consult", {S.DRAFT}, S.CONSULTATION, "Start consultation with the trade unions (JNC)",
         _MANAGE, "The text is frozen while the recognised trade unions are consulted."),
    Move("skip_consultation", {S.DRAFT}, S.AWAITING_APPROVAL,
         "Skip consultation and send for CEO approval", _MANAGE,
         "Only where consultation does not apply; say why."),
    Move("abandon", {S.DRAFT}, S.WITHDRAWN, "Abandon this draft", _MANAGE,
         "The draft is kept in the history but never published."),
    Move("end_consultation", {S.CONSULTATION}, S.AWAITING_APPROVAL,
         "Close consultation and send for CEO approval", _MANAGE,
         "Record when consultation ended and what the unions said."),
    Move("back_to_draft", {S.CONSULTATION}, S.DRAFT, "Return to draft for changes", _MANAGE),
    Move("approve", {S.AWAITING_APPROVAL}, S.APPROVED, "Approve as CEO", _APPROVE),
    Move("return_unapproved", {S.AWAITING_APPROVAL}, S.DRAFT,
         "Return to draft without approving", _APPROVE),
    Move("ratify", {S.APPROVED}, S.RATIFIED, "Record LGB Cluster ratification", _RATIFY,
         "Give the date of the meeting that ratified it."),
    Move("publish", {S.RATIFIED}, S.PUBLISHED, "Publish", _MANAGE,
         "The previous version becomes superseded. Say whether staff must acknowledge it "
         "again."),
    Move("withdraw", {S.PUBLISHED}, S.WITHDRAWN, "Withdraw this policy", _APPROVE,
         "Staff will no longer be asked to read or acknowledge it."),
])


def may_make(user, move: Move) -> bool:
    return any(can(user, code) for code in move.who)


def transitions_for(version: PolicyVersion, user) -> list[Move]:
    """The moves this person may make on this version now."""
    return [m for m in VERSIONS.from_state(version.status) if may_make(user, m)]


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
    """Apply one lifecycle move: check the table and the role, save, record; the move's own
    handlers (below) do the rest and tell the next people to act.

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
        move = VERSIONS.between(source, to_status)
        if move is None:
            raise TransitionNotAllowed(
                f"a version that is {lower_first(locked.get_status_display())} cannot become "
                f"{lower_first(S(to_status).label) if to_status in S.values else to_status}"
            )
        if not may_make(actor, move):
            roles = ", ".join(sorted(_roles_for(move.who)))
            raise TransitionNotAllowed(f"only {roles} may do this ({lower_first(move.label)})")
        if move.reason_required and not reason:
            raise PolicyError("give a reason or comment for the record")
        on = _as_date(details.pop("on", None), "date")
        step = Step(obj=locked, move=move, actor=actor, source=source, reason=reason,
                    data=details, request=request, now=timezone.now(), on=on)
        VERSIONS.run_before(step)

        occurred_on = step.on or timezone.localdate()
        locked.status = to_status
        locked.save()
        step.event = VersionEvent.objects.create(
            version=locked, from_status=source, to_status=to_status, actor=actor,
            actor_label=actor_label(actor), reason=reason, occurred_on=occurred_on,
            details=_json_safe(step.details),
        )
        audit_log(
            action=f"policies.version_{to_status}" if to_status != S.DRAFT
            else "policies.version_returned",
            actor=actor, obj=locked, request=request,
            summary=f"{locked.policy.title} {locked.label}: {move.label}. {reason}",
            changes={"status": [source, to_status], "reason": reason,
                     "occurred_on": occurred_on.isoformat(), **_json_safe(step.details)},
        )
        VERSIONS.run_after(step)
    version.refresh_from_db()
    return locked


def _roles_for(permissions) -> set[str]:
    from accounts.permissions import PERMISSIONS

    labels = dict(Role.choices)
    return {labels.get(role, role) for code in permissions for role in PERMISSIONS[code]}


def _at_noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))


def _tell(step: Step, people: list[User], message: str) -> None:
    """Tell the next people to act (never the person who made the move)."""
    version, event = step.obj, step.event
    for person in people:
        if person != step.actor:
            notify(recipient=person, kind=f"policies.version_{version.status}", title=message,
                   body=event.reason, url=version_url(version), about=version,
                   period=f"event-{event.pk}")


def _title(version: PolicyVersion) -> str:
    return f"{version.policy.title} {version.label}"


# --------------------------------------------------------------------------- each move's work

@VERSIONS.before_save("consult")
def _consult(step: Step) -> None:
    step.details["bodies"] = (step.data.get("bodies") or
                              "Joint Negotiating Council (JNC) / recognised trade unions")


@VERSIONS.before_save("skip_consultation")
def _skip_consultation(step: Step) -> None:
    step.obj.consultation_skipped_reason = step.reason
    step.details["consultation_skipped"] = True


@VERSIONS.before_save("end_consultation")
def _end_consultation(step: Step) -> None:
    step.details["comments"] = step.data.get("comments", "")


@VERSIONS.after_save("skip_consultation", "end_consultation")
def _tell_the_ceo(step: Step) -> None:
    _tell(step, _people_with_role(Role.CEO), f"{_title(step.obj)} is awaiting your approval")


@VERSIONS.before_save("approve")
def _approve(step: Step) -> None:
    version = step.obj
    # Approval recorded after the event (e.g. from a cover sheet) keeps its real date.
    version.approved_by = step.actor
    version.approved_at = step.now if step.on is None else _at_noon(step.on)
    if version.warnings:  # the import warnings were shown to the approver
        step.details["warnings_shown"] = [w["message"] for w in version.warnings]


@VERSIONS.after_save("approve")
def _approved(step: Step) -> None:
    _tell(step, owner_and_hr(step.obj.policy),
          f"{_title(step.obj)} was approved by the CEO: record the LGB Cluster ratification")


@VERSIONS.before_save("ratify")
def _ratify(step: Step) -> None:
    ratified_on = _as_date(step.data.get("ratified_on") or step.on, "ratification date",
                           required=True)
    if ratified_on > timezone.localdate():
        raise PolicyError("the ratification date cannot be in the future")
    step.on = ratified_on
    step.obj.ratified_on, step.obj.ratified_recorded_by = ratified_on, step.actor
    step.details["meeting"] = step.data.get("meeting", "")


@VERSIONS.after_save("ratify")
def _ratified(step: Step) -> None:
    _tell(step, owner_and_hr(step.obj.policy), f"{_title(step.obj)} is ready to publish")


@VERSIONS.before_save("publish")
def _publish(step: Step) -> None:
    """The version in force until now becomes superseded (on the record, with its own
    history entry)."""
    version, data = step.obj, step.data
    change_kind = data.get("change_kind") or ""
    summary = (data.get("change_summary") or "").strip()
    if change_kind not in PolicyVersion.ChangeKind.values:
        raise PolicyError("say whether the change is material or minor")
    if not summary:
        raise PolicyError("give a change summary for staff")
    previous = (
        PolicyVersion.objects.select_for_update()
        .filter(policy=version.policy, status=S.PUBLISHED).exclude(pk=version.pk).first()
    )
    if previous is not None:
        previous.status = S.SUPERSEDED
        previous.save(update_fields=["status"])
        VersionEvent.objects.create(
            version=previous, from_status=S.PUBLISHED, to_status=S.SUPERSEDED,
            actor=step.actor, actor_label=actor_label(step.actor),
            occurred_on=step.on or timezone.localdate(),
            reason=f"Superseded by version {version.label}.",
        )
        version.previous = previous
    data["superseded"] = previous  # for `_published`
    version.change_kind, version.change_summary = change_kind, summary
    # Publication recorded after the event (the demo's 2023 version) keeps its date.
    version.published_at = step.now if step.on is None else _at_noon(step.on)
    step.details.update(change_kind=change_kind, change_summary=summary,
                        academies_without_addendum=[
                            a.name for a in academies_without_addendum(version)])


@VERSIONS.after_save("publish")
def _published(step: Step) -> None:
    version = step.obj
    review_on_publication(version=version, actor=step.actor)
    version.policy.refresh_from_db()  # its review dates just moved
    version_published.send(
        sender=PolicyVersion, version=version, previous=step.data["superseded"],
        actor=step.actor, material=version.change_kind == PolicyVersion.ChangeKind.MATERIAL,
    )


@VERSIONS.before_save("abandon", "withdraw")
def _withdraw(step: Step) -> None:
    step.obj.withdrawn_at = step.now


@VERSIONS.after_save("withdraw")
def _withdrawn(step: Step) -> None:
    version_withdrawn.send(sender=PolicyVersion, version=step.obj, actor=step.actor)


@VERSIONS.after_save("back_to_draft", "return_unapproved")
def _returned(step: Step) -> None:
    version = step.obj
    if version.created_by is not None:
        _tell(step, [version.created_by], f"{_title(version)} was returned to draft")


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
