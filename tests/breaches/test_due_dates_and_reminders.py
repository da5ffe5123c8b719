import datetime

import time_machine

from breaches.models import State
from breaches.reminders import collect_reminders
from breaches.workdays import add_working_days
from tests.breaches.conftest import advance_to


def test_working_days_skip_weekends():
    friday = datetime.date(2026, 11, 20)
    assert add_working_days(friday, 1) == datetime.date(2026, 11, 23)


def test_working_days_skip_england_and_wales_bank_holidays():
    # Thursday 24 December 2026 + 2 working days: 25, 26 (Sat), 27 (Sun), 28 (Boxing Day
    # observed) are skipped.
    assert add_working_days(datetime.date(2026, 12, 24), 2) == datetime.date(2026, 12, 30)


def test_extra_closure_days_can_be_configured(settings):
    settings.BREACHES_CLOSURE_DATES = ["2026-11-23"]
    assert add_working_days(datetime.date(2026, 11, 20), 1) == datetime.date(2026, 11, 24)


def test_triage_is_due_two_working_days_after_the_report(make_case):
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10), tick=False):  # a Friday
        case = make_case()
    assert case.triage_due == datetime.date(2026, 11, 24)


def test_the_handler_is_reminded_on_the_due_day(make_case, org):
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10), tick=False):
        case = make_case()
    reminders = list(collect_reminders(case.triage_due))
    assert [(r.recipient, r.kind) for r in reminders] == [(org.principal, "breaches.step_due")]


def test_overdue_triage_reminds_the_handler_and_escalates_to_the_ceo(make_case, org):
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10), tick=False):
        case = make_case()
    reminders = list(collect_reminders(case.triage_due + datetime.timedelta(days=1)))
    kinds = {(r.recipient, r.kind) for r in reminders}
    assert kinds == {(org.principal, "breaches.step_overdue"),
                     (org.ceo, "breaches.triage_escalated")}
    escalation = next(r for r in reminders if r.kind == "breaches.triage_escalated")
    assert escalation.period == "triage"  # once per case, however often the sweep runs


def test_a_report_about_a_principal_is_not_escalated_to_the_ceo_twice(make_case, org):
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10), tick=False):
        case = make_case(concerned="principal")
    reminders = list(collect_reminders(case.triage_due + datetime.timedelta(days=3)))
    assert [r.kind for r in reminders] == ["breaches.step_overdue"]
    assert reminders[0].recipient == org.ceo


def test_an_investigation_step_has_its_own_due_date(make_case, org):
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10), tick=False):
        case = advance_to(make_case(), [State.TRIAGE, State.INVESTIGATION], actor=org.principal)
    assert case.step_due == datetime.date(2026, 12, 18)
    assert not list(collect_reminders(datetime.date(2026, 12, 17)))


def test_a_closed_case_sends_no_reminders(make_case, org):
    case = advance_to(make_case(), [State.TRIAGE], actor=org.principal)
    from breaches import services

    services.case_transition(case=case, target=State.NO_CASE, actor=org.principal, reason="x")
    assert not list(collect_reminders(datetime.date.today() + datetime.timedelta(days=60)))
