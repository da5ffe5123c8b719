"""The state machine: the one function that moves a case (each move's own work is in
`breaches.services.moves`)."""

import datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.services import audit_log
from breaches.access import case_roles
from breaches.models import Case, CaseItem, State
from breaches.services import moves  # noqa: F401 - registers each move's own handlers
from breaches.services.common import DEFAULT_RETENTION_MONTHS, _event, _today
from breaches.workflow import CASES, CaseError
from core.workflow import Step
from notifications.services import notify

#: Closing a case settles it: closing date, retention date, open requests withdrawn.
CLOSING_STATES = frozenset({State.NO_CASE, State.CLOSED})

# --------------------------------------------------------------------------- the state machine

def _retention_until(case: Case, closed_on: datetime.date) -> datetime.date:
    table = {**DEFAULT_RETENTION_MONTHS, **getattr(settings, "BREACHES_RETENTION_MONTHS", {})}
    if case.state == State.NO_CASE:
        key = "no_case"
    elif case.outcome:
        # The longer of the first outcome and the one in force: the first decision stays on
        # the record, and a tribunal may ask about either.
        codes = {case.outcome, (case.in_force or {}).get("code") or case.outcome}
        key = max(codes, key=lambda code: int(table.get(code, table["no_case"])))
    else:
        key = "informal"
    months = int(table.get(key, table["no_case"]))
    if case.safeguarding_confirmed:
        months = max(months, int(table.get("safeguarding", months)))
    return closed_on + relativedelta(months=months)


def case_transition(
    *, case: Case, target: str, actor: User, reason: str = "",
    data: dict[str, Any] | None = None, request=None,
) -> Case:
    """Apply one move of the table (`CASES`) to a case: the only way a case changes state.

    Checks the table (does this move exist from this state? may this person make it?), runs
    the move's own handlers (`breaches.services.moves`), saves, writes the timeline and the
    audit trail, and tells the reporter.
    """
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        move = CASES.between(case.state, target)
        if move is None:
            raise CaseError(
                f"A case that is “{case.get_state_display()}” cannot move to "
                f"“{State(target).label if target in State.values else target}”."
            )
        if not move.who & case_roles(case, actor):
            raise CaseError(f"You may not “{move.label.lower()}” on this case.")
        step = Step(obj=case, move=move, actor=actor, source=case.state,
                    reason=(reason or "").strip(), data=dict(data or {}), request=request,
                    now=timezone.now())
        if move.reason_required and not step.reason:
            raise CaseError("Give a reason: it is kept in the case record.")
        CASES.run_before(step)

        source, now = step.source, step.now
        case.state = target
        if target in CLOSING_STATES:
            case.closed_at = now
            case.step_due = None
            case.retention_until = _retention_until(case, _today())
            step.changes["retention_until"] = case.retention_until.isoformat()
        try:
            case.full_clean(exclude=["cited_clauses", "clauses_breached"])
        except ValidationError as error:
            raise CaseError(" ".join(error.messages)) from error
        case.save()
        summary = f"{move.label}: {State(source).label} → {State(target).label}{step.note}"
        step.event = _event(case, actor=actor, kind="transition", summary=summary,
                            reason=step.reason, from_state=source, to_state=target)
        audit_log(action=f"breaches.case_{target}", actor=actor, obj=case, summary=summary,
                  changes={"state": [source, target], **step.changes, "reason": step.reason},
                  request=request)
        if target in CLOSING_STATES:
            _withdraw_open_requests(case, actor=actor, now=now, request=request)
        if case.reporter_id and case.reporter_id != actor.pk:
            notify(recipient=case.reporter, kind="breaches.report_status",
                   title=f"Your report {case.reference}: {case.get_state_display()}",
                   body="The status of a report you made has changed. Open it for details.",
                   url=reverse("breaches:my_report", args=[case.pk]), about=case,
                   period=target)
        CASES.run_after(step)
    return case


def _withdraw_open_requests(case: Case, *, actor, now, request=None) -> int:
    """Closing settles every open task: requests still unanswered are withdrawn, each on the
    record (its own status, one timeline entry listing them, the audit trail)."""
    open_items = list(case.items.filter(kind__in=CaseItem.REQUEST_KINDS, complied__isnull=True,
                                        withdrawn_at__isnull=True))
    if not open_items:
        return 0
    why = f"the case was closed ({case.get_state_display().lower()}) on {now:%-d %B %Y}"
    case.items.filter(pk__in=[i.pk for i in open_items]).update(withdrawn_at=now,
                                                                withdrawn_reason=why)
    listed = "\n".join(f"{i.get_kind_display()} to {i.addressed_to or '—'}, due "
                       f"{i.deadline:%-d %B %Y}" for i in open_items)
    summary = f"{len(open_items)} open request(s) withdrawn as the case closed"
    _event(case, actor=actor, kind="tasks_withdrawn", summary=summary, reason=listed)
    audit_log(action="breaches.requests_withdrawn", actor=actor, obj=case, summary=summary,
              changes={"items": [i.pk for i in open_items]}, request=request)
    return len(open_items)
