"""Each case move's own work, registered against the table (`breaches.workflow.CASES`).

`case_transition` does what every move needs; these handlers do the rest. A before-save
handler checks the move's own conditions (raising `CaseError` refuses the move) and sets its
fields; an after-save handler does the relation work and tells the people the move concerns.
"""

from django.urls import reverse

from accounts.models import Role, User
from breaches import workdays
from breaches.models import Case, Outcome
from breaches.services.common import (
    SANCTIONS,
    _mark_concerned_notified,
    _today,
    case_url,
    current_ceo,
    eligible_handlers,
)
from breaches.workflow import CASES, CaseError
from core.workflow import Step
from notifications.services import notify


@CASES.before_save("triage")
def _triage(step: Step) -> None:
    case, data = step.obj, step.data
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
        step.changes["handler"] = [case.handler_id, handler.pk]
    case.handler = handler
    case.severity = severity
    case.safeguarding_confirmed = confirmed
    cpoms = (data.get("cpoms_reference") or "").strip()[:100]
    if cpoms and (confirmed or case.safeguarding):
        case.cpoms_reference = cpoms
    step.changes.update(severity=severity, safeguarding_confirmed=confirmed)
    if confirmed:
        step.reason = "\n".join(filter(None, [step.reason, "Safeguarding matter: record it in "
                                              "CPOMS and tell the Designated Safeguarding "
                                              "Lead today (clause 10.3)."]))


@CASES.after_save("triage")
def _tell_a_new_handler(step: Step) -> None:
    case = step.obj
    if "handler" in step.changes:
        notify(recipient=case.handler, kind="breaches.assigned",
               title=f"You now handle report {case.reference}",
               body="Open the case for details.", url=case_url(case), about=case,
               period=step.move.target)


@CASES.before_save("informal")
def _informal_step_due(step: Step) -> None:
    step.obj.step_due = workdays.due_from(_today(), "informal")


@CASES.before_save("investigation", "escalate")
def _investigation_step_due(step: Step) -> None:
    step.obj.step_due = workdays.due_from(_today(), "investigation")


def _check_clauses(clauses) -> list:
    from policies.models import Clause

    ids = [c.pk if hasattr(c, "pk") else int(c) for c in clauses or []]
    found = list(Clause.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise CaseError("One of the clauses chosen no longer exists.")
    return found


@CASES.before_save("outcome")
def _outcome(step: Step) -> None:
    case, data = step.obj, step.data
    outcome = data.get("outcome") or ""
    if outcome not in Outcome.values:
        raise CaseError("Choose the outcome.")
    reasons = (data.get("outcome_reasons") or "").strip()
    if not reasons:
        raise CaseError("Give the reasons for the outcome.")
    breached = _check_clauses(data.get("clauses_breached"))
    if outcome != Outcome.NO_ACTION and not breached:
        raise CaseError("Choose the clauses found breached.")
    if outcome in SANCTIONS and case.concerned_id is None:
        raise CaseError("A sanction needs a known person: the person concerned is "
                        "unknown.")
    data["clauses_breached"] = breached  # the clauses themselves, for `_outcome_recorded`
    case.outcome, case.outcome_reasons = outcome, reasons
    case.decided_by, case.decided_at = step.actor, step.now
    case.appeal_deadline = workdays.due_from(_today(), "appeal_window")
    case.step_due = None
    step.reason = step.reason or reasons
    step.changes.update(outcome=outcome, clauses_breached=[c.number for c in breached])


@CASES.after_save("outcome")
def _outcome_recorded(step: Step) -> None:
    """The clauses found breached are kept, and the person concerned is told at once."""
    case = step.obj
    case.clauses_breached.set(step.data["clauses_breached"])
    if case.concerned_id:
        _mark_concerned_notified(case, actor=step.actor, request=step.request, why="outcome")
        notify(recipient=case.concerned, kind="breaches.outcome",
               title=f"Outcome of {case.reference}: {case.get_outcome_display()}",
               body=(f"An outcome has been recorded. You may appeal until "
                     f"{case.appeal_deadline:%-d %B %Y}."),
               url=reverse("breaches:about_me", args=[case.pk]), about=case,
               urgent=True)


def _appeal_hearer_for(case: Case) -> User | None:
    """The CEO hears appeals, unless the CEO made the decision (then HR arranges a panel)."""
    ceo = current_ceo()
    excluded = {case.decided_by_id, case.concerned_id}
    if ceo is not None and ceo.pk not in excluded:
        return ceo
    return User.objects.current().filter(role=Role.HR, is_active=True).exclude(
        pk__in=[pk for pk in excluded if pk]
    ).order_by("pk").first()


@CASES.before_save("appeal")
def _lodge_appeal(step: Step) -> None:
    case, today = step.obj, _today()
    if case.appeal_deadline and today > case.appeal_deadline:
        raise CaseError(f"The appeal window closed on {case.appeal_deadline:%-d %B %Y}.")
    hearer = step.data.get("hearer") or _appeal_hearer_for(case)
    if hearer is None:
        raise CaseError("Nobody other than the first decision-maker can hear the "
                        "appeal. Tell HR.")
    if hearer.pk in {case.decided_by_id, case.concerned_id}:
        raise CaseError("The appeal must be heard by someone other than the first "
                        "decision-maker.")
    case.appeal_lodged_at, case.appeal_grounds = step.now, step.reason
    case.appeal_hearer = hearer
    case.step_due = workdays.due_from(today, "appeal")
    step.changes.update(appeal_hearer=hearer.pk)


@CASES.after_save("appeal")
def _appeal_lodged(step: Step) -> None:
    """The hearer, the handler and the person concerned hear of a new appeal: emailed at once
    through the notifications outbox (urgent: an appeal runs to a deadline)."""
    case, actor = step.obj, step.actor
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


@CASES.before_save("close")
def _close_after_the_appeal_window(step: Step) -> None:
    case = step.obj
    if case.appeal_deadline and _today() <= case.appeal_deadline:
        raise CaseError(
            f"The appeal window is open until {case.appeal_deadline:%-d %B %Y}; "
            "the case can be closed after that."
        )


@CASES.before_save("decide_appeal")
def _decide_appeal(step: Step) -> None:
    case, data = step.obj, step.data
    result = data.get("appeal_result") or ""
    if result not in {"upheld", "dismissed"}:
        raise CaseError("Say whether the appeal is upheld or dismissed.")
    reasons = (data.get("appeal_reasons") or "").strip()
    if not reasons:
        raise CaseError("Give the reasons for the appeal decision.")
    if step.actor.pk == case.decided_by_id:
        raise CaseError("The first decision-maker cannot decide the appeal.")
    revised = data.get("revised_outcome") or ""
    if result == "upheld" and revised and revised not in Outcome.values:
        raise CaseError("Choose the revised outcome.")
    # The first decision is never overwritten: the appeal decision is recorded beside it, and
    # `case.in_force` says which outcome stands.
    case.appeal_revised_outcome = revised if result == "upheld" else ""
    case.appeal_result, case.appeal_reasons = result, reasons
    case.appeal_decided_at, case.appeal_decided_by = step.now, step.actor
    step.reason = step.reason or reasons
    step.changes.update(appeal_result=result, first_outcome=case.outcome,
                        outcome_in_force=case.in_force["code"])
    step.note = (f" (appeal {case.appeal_result}; outcome in force: "
                 f"{case.in_force_label.lower()})")


@CASES.after_save("decide_appeal")
def _appeal_decided(step: Step) -> None:
    """The person concerned, the handler and the first decision-maker hear the decision (the
    hearer made it)."""
    case, actor = step.obj, step.actor
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
