"""The CPOMS reference of a safeguarding case can be recorded after triage, and corrected with a
reason, each change on the case's record (clause 10.3)."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from breaches import services
from breaches.models import State
from tests.breaches.conftest import pack_text, text_of


@pytest.fixture
def safeguarding_case(make_case, org, policy_version):
    return services.case_transition(
        case=make_case(), target=State.TRIAGE, actor=org.principal,
        data={"severity": "high", "safeguarding_confirmed": True})


def _record(client, case, **data):
    return client.post(reverse("breaches:case_cpoms", args=[case.pk]), data, follow=True)


def test_the_handler_records_the_cpoms_reference_after_triage(team_client, safeguarding_case):
    page = text_of(_record(team_client("principal"), safeguarding_case,
                           reference="CP-2026-301").content.decode())
    assert "CPOMS reference recorded." in page
    assert "Record it in CPOMS : done, CPOMS reference CP-2026-301" in page
    assert "CPOMS reference recorded: CP-2026-301" in page  # the timeline


def test_the_recorded_reference_is_in_the_case_pack(team_client, safeguarding_case, org):
    _record(team_client("principal"), safeguarding_case, reference="CP-2026-301")
    assert "(CPOMS CP-2026-301)" in pack_text(safeguarding_case, org.hr)


def test_correcting_a_reference_needs_a_reason_and_keeps_the_first_on_the_record(
        team_client, safeguarding_case):
    client = team_client("principal")
    _record(client, safeguarding_case, reference="CP-2026-301")
    refused = text_of(_record(client, safeguarding_case, reference="CP-2026-310").content.decode())
    assert "Say why the CPOMS reference CP-2026-301 is being corrected." in refused
    safeguarding_case.refresh_from_db()
    assert safeguarding_case.cpoms_reference == "CP-2026-301"
    page = text_of(_record(client, safeguarding_case, reference="CP-2026-310",
                           reason="Typed the wrong incident number.").content.decode())
    assert "CPOMS reference corrected from CP-2026-301 to CP-2026-310" in page
    assert "CPOMS reference recorded: CP-2026-301" in page
    audit = AuditEvent.objects.for_object(safeguarding_case).filter(
        action="breaches.cpoms_recorded").order_by("pk")
    assert [a.changes["cpoms_reference"] for a in audit] == [
        ["", "CP-2026-301"], ["CP-2026-301", "CP-2026-310"]]


def test_a_case_that_is_not_safeguarding_takes_no_cpoms_reference(team_client, make_case,
                                                                   org, policy_version):
    case = services.case_transition(case=make_case(), target=State.TRIAGE, actor=org.principal,
                                    data={"severity": "low", "safeguarding_confirmed": False})
    page = text_of(_record(team_client("principal"), case, reference="CP-1").content.decode())
    assert "Only a safeguarding matter has a CPOMS reference." in page
    case.refresh_from_db()
    assert case.cpoms_reference == ""


@pytest.mark.parametrize("who", ["staff", "colleague", "hr", "outsider"])
def test_people_who_may_not_record_it_change_nothing(team_client, safeguarding_case, who):
    response = team_client(who).post(
        reverse("breaches:case_cpoms", args=[safeguarding_case.pk]), {"reference": "CP-9"})
    assert response.status_code in (400, 403, 404)
    safeguarding_case.refresh_from_db()
    assert safeguarding_case.cpoms_reference == ""
    assert not AuditEvent.objects.filter(action="breaches.cpoms_recorded").exists()


def test_hr_sees_the_reference_but_not_the_form(team_client, safeguarding_case):
    _record(team_client("principal"), safeguarding_case, reference="CP-2026-301")
    html = team_client("hr").get(
        reverse("breaches:case_detail", args=[safeguarding_case.pk])).content.decode()
    assert "CP-2026-301" in html
    assert reverse("breaches:case_cpoms", args=[safeguarding_case.pk]) not in html
