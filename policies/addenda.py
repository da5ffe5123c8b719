"""Academy addenda: local arrangements per version and academy, drafted by the Principal and
approved by the CEO while the version is in progress, frozen once it is published."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Academy, Role
from accounts.permissions import can
from audit.services import audit_log
from core.workflow import Move, Step, Workflow
from notifications.services import notify
from policies.common import PolicyError, TransitionNotAllowed, _people_with_role, lower_first
from policies.models import AcademyAddendum, PolicyImmutable, PolicyVersion

A = AcademyAddendum.Status

#: Addendum moves: the Principal (or HR/CEO) submits, the CEO approves or returns it. `who` is
#: a permission code; "policies.addendum_draft" also needs the academy (`may_draft_addendum`).
ADDENDA = Workflow("addendum", [
    Move("submit", {A.DRAFT}, A.SUBMITTED, "Send to the CEO for approval",
         {"policies.addendum_draft"}, reason_required=False),
    Move("approve", {A.SUBMITTED}, A.APPROVED, "Approve this addendum", {"policies.approve"},
         reason_required=False),
    Move("return", {A.SUBMITTED}, A.DRAFT, "Return to the Principal", {"policies.approve"},
         "Say why the addendum is returned."),
])
FROZEN_VERSION_STATUSES = set(AcademyAddendum.FROZEN_VERSION_STATUSES)


def may_draft_addendum(user, academy: Academy) -> bool:
    if not can(user, "policies.addendum_draft"):
        return False
    if user.role == Role.PRINCIPAL:
        return user.academy_id == academy.pk
    return True


def may_move_addendum(user, move: Move, academy: Academy) -> bool:
    return any(may_draft_addendum(user, academy) if code == "policies.addendum_draft"
               else can(user, code) for code in move.who)


def addendum_moves_for(addendum: AcademyAddendum, user) -> list[Move]:
    """The moves this person may make on this addendum now."""
    return [m for m in ADDENDA.from_state(addendum.status)
            if may_move_addendum(user, m, addendum.academy)]


def addendum_save(
    *, version: PolicyVersion, academy: Academy, text: str, actor, request=None
) -> AcademyAddendum:
    """Create or change the draft addendum of an academy (its Principal, or HR / the CEO)."""
    if not may_draft_addendum(actor, academy):
        raise TransitionNotAllowed("only the academy's Principal, HR or the CEO may do this")
    if academy.is_central:
        raise PolicyError("addenda are for academies, not the central team")
    text = text.strip()
    if not text:
        raise PolicyError("the addendum is empty")
    with transaction.atomic():
        locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        addendum = AcademyAddendum.objects.filter(version=locked, academy=academy).first()
        if locked.status in FROZEN_VERSION_STATUSES:
            raise PolicyImmutable(
                f"version {locked.label} is {lower_first(locked.get_status_display())}; "
                "addenda are "
                "approved with their version, so start a new draft of the policy to change one"
            )
        before = addendum.text if addendum else ""
        if addendum is None:
            addendum = AcademyAddendum(version=locked, academy=academy)
        addendum.text, addendum.status, addendum.drafted_by = text, A.DRAFT, actor
        addendum.approved_by, addendum.approved_at, addendum.content_hash = None, None, ""
        addendum.save()
        audit_log(
            action="policies.addendum_saved", actor=actor, obj=addendum, request=request,
            summary=f"Saved the {academy} addendum to {locked}",
            changes={"text": [before, text]},
        )
    return addendum


def addendum_transition(
    *, addendum: AcademyAddendum, to_status: str, actor, reason: str = "", request=None
) -> AcademyAddendum:
    """Apply one addendum move: check the table, the person and the version, save, record;
    the move's own handlers (below) do the rest."""
    with transaction.atomic():
        locked = AcademyAddendum.objects.select_for_update().select_related(
            "version__policy", "academy"
        ).get(pk=addendum.pk)
        move = ADDENDA.between(locked.status, to_status)
        if move is None:
            raise TransitionNotAllowed(
                f"an addendum that is {lower_first(locked.get_status_display())} cannot become "
                f"{to_status}"
            )
        if not may_move_addendum(actor, move, locked.academy):
            raise TransitionNotAllowed(f"you may not do this ({lower_first(move.label)})")
        if locked.version.status in FROZEN_VERSION_STATUSES:
            raise PolicyImmutable(
                f"version {locked.version.label} is "
                f"{lower_first(locked.version.get_status_display())}; its addenda can no longer "
                "change"
            )
        if move.reason_required and not reason.strip():
            raise PolicyError("say why the addendum is returned")
        step = Step(obj=locked, move=move, actor=actor, source=locked.status, reason=reason,
                    request=request, now=timezone.now())
        ADDENDA.run_before(step)
        locked.status = to_status
        locked.save()
        audit_log(
            action=f"policies.addendum_{to_status}", actor=actor, obj=locked, request=request,
            summary=f"{locked}: {move.label}. {reason}".strip(),
            changes={"status": [step.source, to_status], "reason": reason},
        )
        ADDENDA.run_after(step)
    return locked


def _addendum_url(addendum: AcademyAddendum) -> str:
    return reverse("policies:version_record", args=[addendum.version.policy.slug,
                                                    addendum.version.label])


@ADDENDA.before_save("approve")
def _approve(step: Step) -> None:
    addendum = step.obj
    addendum.approved_by, addendum.approved_at = step.actor, step.now
    addendum.content_hash = AcademyAddendum.hash_text(addendum.text)


@ADDENDA.after_save("submit")
def _tell_the_ceo(step: Step) -> None:
    addendum = step.obj
    for person in _people_with_role(Role.CEO):
        notify(recipient=person, kind="policies.addendum_submitted",
               title=f"{addendum} awaits your approval", url=_addendum_url(addendum),
               about=addendum, period=addendum.updated_at.isoformat())


@ADDENDA.after_save("approve", "return")
def _tell_the_drafter(step: Step) -> None:
    addendum = step.obj
    if addendum.drafted_by is not None and addendum.drafted_by != step.actor:
        notify(recipient=addendum.drafted_by, kind=f"policies.addendum_{addendum.status}",
               title=f"{addendum}: {lower_first(step.move.label)}", body=step.reason,
               url=_addendum_url(addendum), about=addendum,
               period=addendum.updated_at.isoformat())


def academies_without_addendum(version: PolicyVersion) -> list[Academy]:
    """The academies the policy covers that have no approved addendum to this version."""
    academies = Academy.objects.filter(is_central=False).order_by("name")
    audience = list(version.policy.audience_academies.values_list("pk", flat=True))
    if audience:
        academies = academies.filter(pk__in=audience)
    approved = AcademyAddendum.objects.filter(version=version, status=A.APPROVED)
    return list(academies.exclude(pk__in=approved.values("academy_id")))


def addenda_carry_forward(*, source: PolicyVersion, target: PolicyVersion, actor) -> list:
    """Each academy's approved addendum to ``source`` becomes a draft of ``target`` for its
    Principal to confirm (send as it is) or change, and the CEO to approve again. The
    academy's Principal is told."""
    from accounts.models import User

    carried = []
    for old in source.addenda.filter(status=A.APPROVED).select_related("academy"):
        addendum = AcademyAddendum.objects.create(
            version=target, academy=old.academy, text=old.text, status=A.DRAFT,
            drafted_by=old.drafted_by,
        )
        carried.append(addendum)
        url = reverse("policies:version_record", args=[target.policy.slug, target.label])
        for principal in User.objects.current().filter(role=Role.PRINCIPAL, is_active=True,
                                                       academy=old.academy):
            notify(recipient=principal, kind="policies.addendum_carried",
                   title=f"Your {old.academy} addendum was carried to {target.policy.title} "
                   f"{target.label}: confirm or change it and send it to the CEO",
                   url=url, about=addendum, period=f"carried-{target.pk}")
        audit_log(action="policies.addendum_carried", actor=actor, obj=addendum,
                  summary=f"Carried the {old.academy} addendum from {source.label} to "
                  f"{target.label} as a draft", changes={"from": source.label})
    return carried
