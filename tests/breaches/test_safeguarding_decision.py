"""The triage safeguarding decision shows wherever the case does, and leads the handler to the
steps clause 10.3 asks for (issue 15, defect 2)."""

import pytest
from django.urls import reverse

from breaches import services
from breaches.models import State
from tests.breaches.conftest import pack_text, text_of


@pytest.fixture
def confirmed(make_case, org, policy_version):
    """Reported without the safeguarding box; triage says it is a safeguarding matter."""
    return services.case_transition(
        case=make_case(), target=State.TRIAGE, actor=org.principal,
        data={"severity": "high", "safeguarding_confirmed": True})


def test_the_case_page_shows_the_triage_decision_in_the_flags(team_client, confirmed):
    page = text_of(team_client("principal").get(
        reverse("breaches:case_detail", args=[confirmed.pk])).content.decode())
    assert "Flags None" not in page
    assert "Flags Safeguarding" in page
    assert "Safeguarding matter (confirmed at triage)" in page


def test_the_case_page_leads_the_handler_to_the_clause_10_3_steps(team_client, confirmed):
    html = team_client("principal").get(
        reverse("breaches:case_detail", args=[confirmed.pk])).content.decode()
    page = text_of(html)
    assert "Record it in CPOMS : no CPOMS reference has been given yet" in page
    assert "Designated Safeguarding Lead (DSL)" in page
    assert 'href="/policies/social-media/2023-09/#' in html and "read clause 10.3" in page


def test_the_case_list_shows_the_decision_and_filters_by_it(team_client, confirmed,
                                                           make_case, org):
    other = make_case(description="Not safeguarding.")
    client = team_client("principal")
    page = text_of(client.get(reverse("breaches:case_list")).content.decode())
    row = page[page.index(confirmed.reference):][:200]
    assert "Safeguarding" in row
    filtered = client.get(reverse("breaches:case_list"), {"safeguarding": "1"}).content.decode()
    assert confirmed.reference in filtered and other.reference not in filtered


def test_the_case_pack_shows_the_decision(confirmed, org):
    text = pack_text(confirmed, org.hr)
    assert "Safeguarding Safeguarding matter (confirmed at triage)" in text
    assert "Clause 10.3 applies" in text


def test_a_flag_ruled_out_at_triage_is_not_counted_as_safeguarding(make_case, org,
                                                                   team_client):
    from breaches.selectors import anonymised_statistics

    case = make_case(safeguarding=True)
    services.case_transition(case=case, target=State.TRIAGE, actor=org.principal,
                             data={"severity": "low", "safeguarding_confirmed": False})
    assert anonymised_statistics()["safeguarding"] == 0
    page = text_of(team_client("principal").get(
        reverse("breaches:case_detail", args=[case.pk])).content.decode())
    assert "Not a safeguarding matter (decided at triage; the reporter had flagged it)" in page


def test_the_handler_can_record_the_cpoms_reference_at_triage(team_client, make_case, org):
    case = make_case()
    team_client("principal").post(reverse("breaches:case_move", args=[case.pk, "triage"]), {
        "handler": org.principal.pk, "severity": "high", "safeguarding_confirmed": "yes",
        "cpoms_reference": "CP-77"})
    case.refresh_from_db()
    assert case.safeguarding_confirmed is True and case.cpoms_reference == "CP-77"
