"""Academy addenda: local arrangements per version and academy, drafted by the Principal and
approved by the CEO while the version is in progress, frozen once it is published."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Academy, Role
from accounts.permissions import can
from audit.services import audit_log
from notifications.services import notify
from policies.common import PolicyError, TransitionNotAllowed, _people_with_role, lower_first
from policies.models import AcademyAddendum, PolicyImmutable, PolicyVersion

A = AcademyAddendum.Status

#: Addendum moves: the Principal (or HR/CEO) submits, the CEO approves or returns it.
ADDENDUM_TRANSITIONS: dict[tuple[str, str], tuple[str, str]] = {
    (A.DRAFT, A.SUBMITTED): ("policies.addendum_draft", "Send to the CEO for approval"),
    (A.SUBMITTED, A.APPROVED): ("policies.approve", "Approve this addendum"),
    (A.SUBMITTED, A.DRAFT): ("policies.approve", "Return to the Principal"),
}
FROZEN_VERSION_STATUSES = set(AcademyAddendum.FROZEN_VERSION_STATUSES)


def may_draft_addendum(user, academy: Academy) -> bool:
    if not can(user, "policies.addendum_draft"):
        return False
    if user.role == Role.PRINCIPAL:
        return user.academy_id == academy.pk
    return True


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
    with transaction.atomic():
        locked = AcademyAddendum.objects.select_for_update().select_related(
            "version__policy", "academy"
        ).get(pk=addendum.pk)
        move = ADDENDUM_TRANSITIONS.get((locked.status, to_status))
        if move is None:
            raise TransitionNotAllowed(
                f"an addendum that is {lower_first(locked.get_status_display())} cannot become "
                f"{to_status}"
            )
        permission, label = move
        allowed = (may_draft_addendum(actor, locked.academy)
                   if permission == "policies.addendum_draft" else can(actor, permission))
        if not allowed:
            raise TransitionNotAllowed(f"you may not do this ({lower_first(label)})")
        if locked.version.status in FROZEN_VERSION_STATUSES:
            raise PolicyImmutable(
                f"version {locked.version.label} is "
                f"{lower_first(locked.version.get_status_display())}; its addenda can no longer "
                "change"
            )
        if to_status == A.DRAFT and not reason.strip():
            raise PolicyError("say why the addendum is returned")
        source = locked.status
        locked.status = to_status
        if to_status == A.APPROVED:
            locked.approved_by, locked.approved_at = actor, timezone.now()
            locked.content_hash = AcademyAddendum.hash_text(locked.text)
        locked.save()
        audit_log(
            action=f"policies.addendum_{to_status}", actor=actor, obj=locked, request=request,
            summary=f"{locked}: {label}. {reason}".strip(),
            changes={"status": [source, to_status], "reason": reason},
        )
        url = reverse("policies:version_record", args=[locked.version.policy.slug,
                                                      locked.version.label])
        if to_status == A.SUBMITTED:
            for person in _people_with_role(Role.CEO):
                notify(recipient=person, kind="policies.addendum_submitted",
                       title=f"{locked} awaits your approval", url=url, about=locked,
                       period=locked.updated_at.isoformat())
        elif locked.drafted_by is not None and locked.drafted_by != actor:
            notify(recipient=locked.drafted_by, kind=f"policies.addendum_{to_status}",
                   title=f"{locked}: {lower_first(label)}", body=reason, url=url, about=locked,
                   period=locked.updated_at.isoformat())
    return locked


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
