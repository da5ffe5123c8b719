import pytest
from django.urls import reverse

PAGES = {
    # url name: roles that may open it (everyone else gets 403, anonymous is sent to sign in)
    "accounts:people_list": {"principal", "other_principal", "hr", "ceo", "admin"},
    "accounts:staff_import": {"hr", "admin"},
    "audit:event_list": {"hr", "ceo", "admin"},
    "home": {"staff", "manager", "principal", "other_principal", "hr", "ceo", "board", "admin",
             "outsider"},
}
ROLES = ["staff", "manager", "principal", "other_principal", "hr", "ceo", "board", "admin",
         "outsider"]


@pytest.mark.parametrize("url_name", sorted(PAGES))
@pytest.mark.parametrize("role", ROLES)
def test_each_page_opens_only_for_the_roles_allowed_to_see_it(client_as, url_name, role):
    response = client_as(role).get(reverse(url_name))
    expected = 200 if role in PAGES[url_name] else 403
    assert response.status_code == expected


@pytest.mark.parametrize("url_name", sorted(PAGES))
def test_anonymous_visitors_are_sent_to_sign_in(client_as, url_name):
    response = client_as("anonymous").get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_principal_sees_only_people_in_their_own_academy(client_as, org):
    response = client_as("principal").get(reverse("accounts:people_list"))
    names = response.content.decode()
    assert org.staff.full_name in names
    assert org.outsider.full_name not in names


def test_a_principal_gets_404_for_a_person_in_another_academy(client_as, org):
    url = reverse("accounts:person_detail", args=[org.outsider.pk])
    assert client_as("principal").get(url).status_code == 404
    assert client_as("hr").get(url).status_code == 200


def test_a_leaver_loses_every_permission(client_as, org):
    import datetime

    org.hr.leaving_date = datetime.date(2000, 1, 1)
    org.hr.start_date = datetime.date(1999, 1, 1)
    org.hr.save()
    assert client_as("hr").get(reverse("audit:event_list")).status_code == 403


def test_the_navigation_shows_only_links_the_role_may_use(client_as):
    staff_page = client_as("staff").get(reverse("home")).content.decode()
    hr_page = client_as("hr").get(reverse("home")).content.decode()
    assert reverse("audit:event_list") not in staff_page
    assert reverse("audit:event_list") in hr_page


def test_only_the_closest_navigation_link_is_marked_as_the_current_page(client_as):
    import re

    page = client_as("hr").get(reverse("accounts:staff_import")).content.decode()
    current = re.findall(r'<a href="([^"]+)" aria-current="page"', page)
    assert current == [reverse("accounts:people_list")]
