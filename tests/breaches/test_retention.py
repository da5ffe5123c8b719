import datetime

import time_machine
from django.core.management import call_command

from audit.models import AuditEvent
from breaches import services
from breaches.models import Case, State
from tests.breaches.conftest import PNG_BYTES, advance_to, upload


def _closed_case(org, make_case, **data):
    case = make_case(reporter=org.staff, concerned="colleague",
                     description="Named allegation text", **data)
    services.case_evidence_add(case=case, actor=org.principal,
                               upload=upload("shot.png", PNG_BYTES))
    case = advance_to(case, [State.TRIAGE], actor=org.principal)
    return services.case_transition(case=case, target=State.NO_CASE, actor=org.principal,
                                    reason="No breach.")


def test_a_closed_case_gets_a_retention_date_from_the_rule(org, make_case, settings):
    settings.BREACHES_RETENTION_MONTHS = {"no_case": 6}
    with time_machine.travel(datetime.datetime(2026, 3, 2, 12), tick=False):
        case = _closed_case(org, make_case)
    assert case.retention_until == datetime.date(2026, 9, 2)


def test_a_written_warning_is_kept_longer_than_no_case(org, make_case, clause):
    case = advance_to(make_case(), [State.TRIAGE, State.INVESTIGATION, State.OUTCOME],
                      actor=org.principal, clauses_breached=[clause("10.4 b)")])
    with time_machine.travel(datetime.datetime.combine(
            case.appeal_deadline + datetime.timedelta(days=1), datetime.time(12)), tick=False):
        case = services.case_transition(case=case, target=State.CLOSED, actor=org.principal,
                                        reason="No appeal.")
        assert case.retention_until == (datetime.date.today().replace(
            year=datetime.date.today().year + 2))


def test_apply_retention_anonymises_due_cases_and_deletes_their_files(
        org, make_case, django_capture_on_commit_callbacks):
    case = _closed_case(org, make_case)
    path = case.evidence.get().path
    assert path.exists()
    with time_machine.travel(datetime.datetime.combine(
            case.retention_until + datetime.timedelta(days=1), datetime.time(3)), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("apply_retention")
    case.refresh_from_db()
    assert case.anonymised_at is not None
    assert case.reporter is None and case.concerned is None
    assert "Named allegation" not in case.description
    assert not path.exists()
    assert case.platform == "facebook"  # statistics survive
    assert AuditEvent.objects.filter(action="breaches.case_anonymised").count() == 1
    assert AuditEvent.objects.filter(action="breaches.retention_applied").exists()


def test_a_case_under_legal_hold_is_skipped_until_the_hold_is_lifted(org, make_case):
    case = _closed_case(org, make_case)
    services.case_legal_hold(case=case, actor=org.hr, hold=True, reason="Tribunal claim")
    later = datetime.datetime.combine(case.retention_until + datetime.timedelta(days=1),
                                      datetime.time(3))
    with time_machine.travel(later, tick=False):
        result = services.apply_retention()
    assert result["held"] == [case.reference]
    case.refresh_from_db()
    assert case.anonymised_at is None and case.evidence.get().path.exists()
    services.case_legal_hold(case=case, actor=org.hr, hold=False, reason="Claim settled")
    with time_machine.travel(later, tick=False):
        result = services.apply_retention()
    assert result["anonymised"] == [case.reference]


def test_a_case_not_yet_due_is_left_alone(org, make_case):
    case = _closed_case(org, make_case)
    services.apply_retention()
    case.refresh_from_db()
    assert case.anonymised_at is None


def test_the_dry_run_changes_nothing(org, make_case, capsys):
    case = _closed_case(org, make_case)
    with time_machine.travel(datetime.datetime.combine(
            case.retention_until + datetime.timedelta(days=1), datetime.time(3)), tick=False):
        call_command("apply_retention", "--dry-run")
    assert "Would anonymise 1 case(s)" in capsys.readouterr().out
    assert Case.objects.get().anonymised_at is None


def test_only_hr_and_the_ceo_may_place_a_legal_hold(org, make_case):
    import pytest

    case = make_case()
    with pytest.raises(services.CaseError):
        services.case_legal_hold(case=case, actor=org.principal, hold=True, reason="x")
