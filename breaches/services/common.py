"""Helpers every case service shares: who is who, the timeline entry, permission checks."""

import datetime
import logging

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Academy, Role, User
from audit.services import actor_label, audit_log
from breaches.access import case_roles
from breaches.models import (
    Case,
    CaseEvent,
    CaseMessage,
    Outcome,
)
from breaches.workflow import CaseError, may
from core import navcache
from notifications.services import notify

log = logging.getLogger(__name__)

#: Months a closed case is kept, by how it ended (BREACHES_RETENTION_MONTHS overrides).
DEFAULT_RETENTION_MONTHS = {
    "no_case": 12,
    "informal": 12,
    Outcome.NO_ACTION: 12,
    Outcome.MANAGEMENT_ADVICE: 24,
    Outcome.WRITTEN_WARNING: 24,
    Outcome.FINAL_WRITTEN_WARNING: 36,
    Outcome.DISMISSAL: 72,
    Outcome.REFERRAL_LADO: 120,
    Outcome.REFERRAL_POLICE: 120,
    Outcome.REFERRAL_REGULATOR: 120,
    #: A confirmed safeguarding matter is kept at least this long, whatever the outcome.
    "safeguarding": 120,
}
#: Outcomes that are disciplinary sanctions (they need a known person and cited clauses).
SANCTIONS = frozenset({Outcome.MANAGEMENT_ADVICE, Outcome.WRITTEN_WARNING,
                       Outcome.FINAL_WRITTEN_WARNING, Outcome.DISMISSAL})


# --------------------------------------------------------------------------- helpers

def _today() -> datetime.date:
    return timezone.localdate()


def case_url(case: Case) -> str:
    return reverse("breaches:case_detail", args=[case.pk])


def _event(case: Case, *, actor, kind: str, summary: str, reason: str = "",
           from_state: str = "", to_state: str = "", shown_as: str = "") -> CaseEvent:
    """A timeline entry; `shown_as` replaces the actor's usual label (an anonymous report)."""
    return CaseEvent.objects.create(
        case=case, actor=actor, actor_label=shown_as or actor_label(actor),
        kind=kind,
        summary=summary[:300], reason=reason, from_state=from_state, to_state=to_state,
    )


def current_ceo() -> User | None:
    return User.objects.current().filter(role=Role.CEO, is_active=True).order_by("pk").first()


def principal_of(academy: Academy | None) -> User | None:
    if academy is None or academy.is_central:
        return None
    return User.objects.current().filter(
        role=Role.PRINCIPAL, academy=academy, is_active=True
    ).first()


def eligible_handlers(case: Case):
    """People who may handle the case: the academy's Principal, HR, the CEO; never the
    person concerned."""
    people = User.objects.current().filter(is_active=True).filter(
        Q(role__in=[Role.HR, Role.CEO]) | Q(role=Role.PRINCIPAL, academy=case.academy)
    )
    if case.route_to_ceo:
        people = people.exclude(role=Role.PRINCIPAL)
    if case.concerned_id:
        people = people.exclude(pk=case.concerned_id)
    return people



def _require(case: Case, actor: User, action: str) -> set[str]:
    roles = case_roles(case, actor)
    if not may(action, roles):
        raise CaseError("You may not do this on this case.")
    return roles


def _mark_concerned_notified(case: Case, *, actor, request, why: str) -> bool:
    if case.concerned_id is None or case.concerned_notified_at is not None:
        return False
    case.concerned_notified_at = timezone.now()
    Case.objects.filter(pk=case.pk).update(concerned_notified_at=case.concerned_notified_at)
    navcache.bump()  # their home page now shows the report (no save signal here)
    _event(case, actor=actor, kind="notified", summary="The person concerned was notified",
           reason=why)
    audit_log(action="breaches.concerned_notified", actor=actor, obj=case,
              summary=f"The person concerned was notified ({why})", request=request)
    return True




def _message(case: Case, *, actor, recipient, body: str, request=None) -> CaseMessage:
    message = CaseMessage.objects.create(case=case, recipient=recipient, author=actor, body=body)
    if recipient is not None:
        who = "the person concerned" if recipient.pk == case.concerned_id else "the reporter"
        _event(case, actor=actor, kind="message", summary=f"Message sent to {who}", reason=body)
        audit_log(action="breaches.message_sent", actor=actor, obj=case,
                  summary=f"Message sent to {who}", request=request)
        url = (reverse("breaches:about_me", args=[case.pk]) if recipient.pk == case.concerned_id
               else reverse("breaches:my_report", args=[case.pk]))
        notify(recipient=recipient, kind="breaches.message",
               title=f"New message about {case.reference}", body=body[:500], url=url,
               about=case, period=f"message-{message.pk}")
    else:
        _event(case, actor=actor, kind="reply", summary="Reply received", reason=body)
        audit_log(action="breaches.reply_received", actor=actor, obj=case,
                  summary="Reply received", request=request)
        notify(recipient=case.handler, kind="breaches.reply",
               title=f"New reply on {case.reference}", body="Open the case to read it.",
               url=case_url(case), about=case, period=f"message-{message.pk}")
    return message




def can_open(case: Case, person: User) -> bool:
    from breaches.access import can_open_case

    return can_open_case(case, person)

