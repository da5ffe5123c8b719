"""The state machine: the one function that moves a case, and what each move needs."""

import datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from audit.services import audit_log
from breaches import workdays
from breaches.access import case_roles
from breaches.models import (
    Case,
    CaseItem,
    Outcome,
    State,
)
from breaches.services.common import (
    DEFAULT_RETENTION_MONTHS,
    SANCTIONS,
    _event,
    _mark_concerned_notified,
    _today,
    case_url,
    current_ceo,
    eligible_handlers,
)
from breaches.workflow import TRANSITIONS, CaseError
from notifications.services import notify

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


def _appeal_hearer_for(case: Case) -> User | None:
    """The CEO hears appeals, unless the CEO made the decision (then HR arranges a panel)."""
    ceo = current_ceo()
    excluded = {case.decided_by_id, case.concerned_id}
    if ceo is not None and ceo.pk not in excluded:
        return ceo
    return User.objects.current().filter(role=Role.HR, is_active=True).exclude(
        pk__in=[pk for pk in excluded if pk]
    ).order_by("pk").first()


def _check_clauses(case: Case, clauses) -> list:
    from policies.models import Clause

    ids = [c.pk if hasattr(c, "pk") else int(c) for c in clauses or []]
    found = list(Clause.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise CaseError("One of the clauses chosen no longer exists.")
    return found


def case_transition(
    *, case: Case, target: str, actor: User, reason: str = "",
    data: dict[str, Any] | None = None, request=None,
) -> Case:
    """Apply one move of the transition table to a case: the only way a case changes state.

    Checks the table (does this move exist from this state? may this person make it?), the
    move's own conditions, saves, writes the timeline and the audit trail, and notifies.
    """
    data = data or {}
    reason = (reason or "").strip()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        move = TRANSITIONS.get((case.state, target))
        if move is None:
            raise CaseError(
                f"A case that is “{case.get_state_display()}” cannot move to "
                f"“{State(target).label if target in State.values else target}”."
            )
        roles = case_roles(case, actor)
        if not move.roles & roles:
            raise CaseError(f"You may not “{move.label.lower()}” on this case.")
        if move.reason_required and not reason:
            raise CaseError("Give a reason: it is kept in the case record.")
        source = case.state
        today = _today()
        now = timezone.now()
        changes: dict[str, Any] = {"state": [source, target]}
        to_notify: list[tuple] = []

        if target == State.TRIAGE:
            severity = data.get("severity") or ""
            if severity not in {"low", "medium", "high"}:
                raise CaseError("Choose the severity.")
            confirmed = data.get("safeguarding_confirmed")
            if confirmed not in (True, False):
                raise CaseError("Say whether this is a safeguarding matter.")
            handler = data.get("handler") or case.handler
            if not eligible_handlers(case).filter(pk=handler.pk).exists():
                raise CaseError("That person cannot handle this case.")
            if handler.pk != case.handler_id:
                changes["handler"] = [case.handler_id, handler.pk]
                to_notify.append((handler, "breaches.assigned",
                                  f"You now handle report {case.reference}"))
            case.handler = handler
            case.severity = severity
            case.safeguarding_confirmed = confirmed
            cpoms = (data.get("cpoms_reference") or "").strip()[:100]
            if cpoms and (confirmed or case.safeguarding):
                case.cpoms_reference = cpoms
            changes.update(severity=severity, safeguarding_confirmed=confirmed)
            if confirmed:
                reason = "\n".join(filter(None, [reason, "Safeguarding matter: record it in "
                                                  "CPOMS and tell the Designated Safeguarding "
                                                  "Lead today (clause 10.3)."]))
        elif target == State.INFORMAL:
            case.step_due = workdays.due_from(today, "informal")
        elif target == State.INVESTIGATION:
            case.step_due = workdays.due_from(today, "investigation")
        elif target == State.OUTCOME:
            outcome = data.get("outcome") or ""
            if outcome not in Outcome.values:
                raise CaseError("Choose the outcome.")
            reasons = (data.get("outcome_reasons") or "").strip()
            if not reasons:
                raise CaseError("Give the reasons for the outcome.")
            breached = _check_clauses(case, data.get("clauses_breached"))
            if outcome != Outcome.NO_ACTION and not breached:
                raise CaseError("Choose the clauses found breached.")
            if outcome in SANCTIONS and case.concerned_id is None:
                raise CaseError("A sanction needs a known person: the person concerned is "
                                "unknown.")
            case.outcome, case.outcome_reasons = outcome, reasons
            case.decided_by, case.decided_at = actor, now
            case.appeal_deadline = workdays.due_from(today, "appeal_window")
            case.step_due = None
            reason = reason or reasons
            changes.update(outcome=outcome, clauses_breached=[c.number for c in breached])
        elif target == State.APPEAL:
            if case.appeal_deadline and today > case.appeal_deadline:
                raise CaseError(
                    f"The appeal window closed on {case.appeal_deadline:%-d %B %Y}."
                )
            hearer = data.get("hearer") or _appeal_hearer_for(case)
            if hearer is None:
                raise CaseError("Nobody other than the first decision-maker can hear the "
                                "appeal. Tell HR.")
            if hearer.pk in {case.decided_by_id, case.concerned_id}:
                raise CaseError("The appeal must be heard by someone other than the first "
                                "decision-maker.")
            case.appeal_lodged_at, case.appeal_grounds = now, reason
            case.appeal_hearer = hearer
            case.step_due = workdays.due_from(today, "appeal")
            changes.update(appeal_hearer=hearer.pk)
        elif target == State.CLOSED and source == State.OUTCOME:
            if case.appeal_deadline and today <= case.appeal_deadline:
                raise CaseError(
                    f"The appeal window is open until {case.appeal_deadline:%-d %B %Y}; "
                    "the case can be closed after that."
                )
        elif target == State.CLOSED and source == State.APPEAL:
            result = data.get("appeal_result") or ""
            if result not in {"upheld", "dismissed"}:
                raise CaseError("Say whether the appeal is upheld or dismissed.")
            reasons = (data.get("appeal_reasons") or "").strip()
            if not reasons:
                raise CaseError("Give the reasons for the appeal decision.")
            if actor.pk == case.decided_by_id:
                raise CaseError("The first decision-maker cannot decide the appeal.")
            revised = data.get("revised_outcome") or ""
            if result == "upheld" and revised and revised not in Outcome.values:
                raise CaseError("Choose the revised outcome.")
            # The first decision is never overwritten: the appeal decision is recorded beside
            # it, and `case.in_force` says which outcome stands.
            case.appeal_revised_outcome = revised if result == "upheld" else ""
            case.appeal_result, case.appeal_reasons = result, reasons
            case.appeal_decided_at, case.appeal_decided_by = now, actor
            reason = reason or reasons
            changes.update(appeal_result=result, first_outcome=case.outcome,
                           outcome_in_force=case.in_force["code"])

        case.state = target
        if target in {State.NO_CASE, State.CLOSED}:
            case.closed_at = now
            case.step_due = None
            case.retention_until = _retention_until(case, today)
            changes["retention_until"] = case.retention_until.isoformat()
        try:
            case.full_clean(exclude=["cited_clauses", "clauses_breached"])
        except ValidationError as error:
            raise CaseError(" ".join(error.messages)) from error
        case.save()
        if target == State.OUTCOME:
            case.clauses_breached.set(breached)
        summary = f"{move.label}: {State(source).label} → {State(target).label}"
        if target == State.CLOSED and source == State.APPEAL:
            summary += (f" (appeal {case.appeal_result}; outcome in force: "
                        f"{case.in_force_label.lower()})")
        _event(case, actor=actor, kind="transition", summary=summary, reason=reason,
               from_state=source, to_state=target)
        audit_log(action=f"breaches.case_{target}", actor=actor, obj=case, summary=summary,
                  changes={**changes, "reason": reason}, request=request)
        if target in {State.NO_CASE, State.CLOSED}:
            _withdraw_open_requests(case, actor=actor, now=now, request=request)

        # Who is told.
        status_title = f"Your report {case.reference}: {case.get_state_display()}"
        if case.reporter_id and case.reporter_id != actor.pk:
            notify(recipient=case.reporter, kind="breaches.report_status",
                   title=status_title,
                   body="The status of a report you made has changed. Open it for details.",
                   url=reverse("breaches:my_report", args=[case.pk]), about=case,
                   period=target)
        if target == State.OUTCOME and case.concerned_id:
            _mark_concerned_notified(case, actor=actor, request=request, why="outcome")
            notify(recipient=case.concerned, kind="breaches.outcome",
                   title=f"Outcome of {case.reference}: {case.get_outcome_display()}",
                   body=(f"An outcome has been recorded. You may appeal until "
                         f"{case.appeal_deadline:%-d %B %Y}."),
                   url=reverse("breaches:about_me", args=[case.pk]), about=case,
                   urgent=True)
        if target == State.APPEAL:
            _notify_appeal_lodged(case, actor=actor)
        if target == State.CLOSED and source == State.APPEAL:
            _notify_appeal_decided(case, actor=actor)
        for person, kind, title in to_notify:
            notify(recipient=person, kind=kind, title=title,
                   body="Open the case for details.", url=case_url(case), about=case,
                   period=target)
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


def _notify_appeal_lodged(case: Case, *, actor) -> None:
    """The hearer, the handler and the person concerned hear of a new appeal: emailed at once
    through the notifications outbox (urgent: an appeal runs to a deadline)."""
    due = f"{case.step_due:%-d %B %Y}" if case.step_due else "soon"
    notify(recipient=case.appeal_hearer, kind="breaches.appeal_to_hear",
           title=f"You are asked to hear the appeal on {case.reference}",
           body=f"An appeal against the outcome ({case.get_outcome_display()}) was lodged. "
                f"The hearing is due by {due}. Open the case for the grounds.",
           url=case_url(case), about=case, period=f"hearer-{case.appeal_hearer_id}",
           reason="You were chosen to hear an appeal.", urgent=True)
    if case.handler_id not in {actor.pk, case.appeal_hearer_id}:
        notify(recipient=case.handler, kind="breaches.appeal_lodged",
               title=f"An appeal was lodged on {case.reference}",
               body=f"It will be heard by {case.appeal_hearer.full_name} by {due}.",
               url=case_url(case), about=case, period="appeal",
               reason="You handle this case.", urgent=True)
    if case.concerned_id:
        notify(recipient=case.concerned, kind="breaches.appeal_lodged",
               title=f"Your appeal on {case.reference} has been lodged",
               body=(f"Your appeal will be heard by {case.appeal_hearer.full_name}, who did not "
                     f"make the first decision. A decision is due by {due}."),
               url=reverse("breaches:about_me", args=[case.pk]), about=case, period="appeal",
               reason="An appeal was lodged against an outcome about you.", urgent=True)


def _notify_appeal_decided(case: Case, *, actor) -> None:
    """The person concerned, the handler and the first decision-maker hear the decision (the
    hearer made it)."""
    in_force = case.in_force_label
    if case.concerned_id:
        notify(recipient=case.concerned, kind="breaches.appeal_decided",
               title=f"Your appeal on {case.reference} was {case.appeal_result}",
               body=(f"The appeal has been decided by {actor.full_name}. The outcome in force "
                     f"is now: {in_force}. Open the page for the reasons."),
               url=reverse("breaches:about_me", args=[case.pk]), about=case,
               reason="You appealed against an outcome about you.", urgent=True)
    told = {actor.pk, case.concerned_id}
    for person in (case.handler, case.decided_by):
        if person is None or person.pk in told:
            continue
        told.add(person.pk)
        notify(recipient=person, kind="breaches.appeal_decided",
               title=f"The appeal on {case.reference} was {case.appeal_result}",
               body=f"Decided by {actor.full_name}. Outcome in force: {in_force}.",
               url=case_url(case), about=case, period="appeal-decided",
               reason="You handle this case or made its first decision.", urgent=True)
