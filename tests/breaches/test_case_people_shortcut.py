"""Pages skip questions about cases for people no case concerns, and notice at once when one
does (breaches.hooks: the trust-wide answer of who is on a case team, reported or was told)."""

from django.urls import reverse

from breaches import services
from tests.pages import open_page


def _home(client) -> tuple[str, str]:
    return open_page(client, reverse("home"))


def test_someone_no_case_concerns_is_asked_nothing_about_cases(make_case, team_client, org):
    make_case(reporter=org.staff, concerned="colleague")
    _home(team_client("staff"))  # the shared answer is now cached
    page, asked = _home(team_client("outsider"))
    assert "breaches_case" not in asked
    assert "Your reports" not in page


def test_a_new_report_shows_in_the_reporters_home_page_at_once(make_case, team_client, org):
    client = team_client("outsider")
    assert "Your reports" not in _home(client)[0]
    make_case(reporter=org.outsider, concerned="staff")
    assert "Your reports" in _home(client)[0]


def test_joining_a_case_team_shows_the_cases_link_at_once(make_case, team_client, org):
    case = make_case(reporter=org.staff, concerned="colleague")
    client = team_client("outsider")
    assert reverse("breaches:case_list") not in _home(client)[0]
    services.case_member_add(case=case, actor=org.principal, person=org.outsider,
                             role="investigating_officer")
    assert reverse("breaches:case_list") in _home(client)[0]
