import datetime

import time_machine
from django.urls import reverse
from django.utils import timezone

from acknowledgements.models import Acknowledgement, Assignment
from acknowledgements.sections import sections_of
from acknowledgements.services import signed_link_url
from tests.factories import person_make


def staff_assignment(org, version):
    return Assignment.objects.get(person=org.staff, version=version)


def acknowledge_via_link(client, assignment, url):
    response = client.get(url)
    assert response.status_code == 302, response
    for section in sections_of(assignment.version, assignment.person.academy):
        client.get(reverse("acknowledgements:read", args=[assignment.pk, section.index]))
    return client.post(reverse("acknowledgements:acknowledge", args=[assignment.pk]),
                       {"agree": "yes"})


def test_a_link_asks_the_person_to_sign_in_first(client_as, org, published):
    url = signed_link_url(staff_assignment(org, published))
    response = client_as("anonymous").get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=" in response["Location"]


def test_after_sign_in_the_link_opens_the_policy_ready_to_acknowledge(client_as, org,
                                                                      published):
    assignment = staff_assignment(org, published)
    response = client_as("staff").get(signed_link_url(assignment))
    assert response["Location"] == reverse("acknowledgements:start", args=[assignment.pk])


def test_a_record_made_from_a_link_says_so(client_as, org, published):
    assignment = staff_assignment(org, published)
    acknowledge_via_link(client_as("staff"), assignment, signed_link_url(assignment))
    assert Acknowledgement.objects.get().method == "email_link"


def test_a_link_works_once(client_as, org, published):
    assignment = staff_assignment(org, published)
    url = signed_link_url(assignment)
    acknowledge_via_link(client_as("staff"), assignment, url)
    response = client_as("staff").get(url)
    assert response.status_code == 410
    assert "already been used" in response.content.decode()


def test_a_link_expires_after_fourteen_days(client_as, org, published):
    assignment = staff_assignment(org, published)
    with time_machine.travel(timezone.now() - datetime.timedelta(days=15)):
        url = signed_link_url(assignment)
    response = client_as("staff").get(url)
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_a_link_still_works_within_fourteen_days(client_as, org, published):
    assignment = staff_assignment(org, published)
    with time_machine.travel(timezone.now() - datetime.timedelta(days=13)):
        url = signed_link_url(assignment)
    assert client_as("staff").get(url).status_code == 302


def test_a_tampered_link_is_refused(client_as, org, published):
    assignment = staff_assignment(org, published)
    url = signed_link_url(assignment)
    token = url.rstrip("/").split("/")[-1]
    tampered = token.replace(token[3], "A" if token[3] != "A" else "B", 1)
    response = client_as("staff").get(reverse("acknowledgements:link", args=[tampered]))
    assert response.status_code == 400
    assert "not valid" in response.content.decode()


def test_a_link_for_one_person_cannot_be_used_by_another(client_as, org, published):
    url = signed_link_url(staff_assignment(org, published))
    assert client_as("colleague").get(url).status_code == 404


def token_person(org):
    return person_make(academy=org.academy, category="volunteer", name="Vol Unteer",
                       password=None, portal_access=False)


def test_token_only_lets_a_person_without_an_account_acknowledge(client_as, org, published):
    volunteer = token_person(org)
    policy = published.policy
    policy.allow_token_only = True
    policy.save()
    from acknowledgements.services import assignments_sync

    assignments_sync()
    assignment = Assignment.objects.get(person=volunteer, version=published)
    client = client_as("anonymous")
    token = signed_link_url(assignment).rstrip("/").split("/")[-1]
    assert client.get(reverse("acknowledgements:link", args=[token])).status_code == 302
    for section in sections_of(published):
        page = client.get(reverse("acknowledgements:token_read", args=[token, section.index]))
        assert page.status_code == 200
    response = client.post(reverse("acknowledgements:token_acknowledge", args=[token]),
                           {"agree": "yes"})
    assert response.status_code == 200
    assert "Acknowledged" in response.content.decode()
    record = Acknowledgement.objects.get(person=volunteer)
    assert record.method == "token_only"
    assert client.get(reverse("acknowledgements:link", args=[token])).status_code == 410


def test_token_only_still_checks_the_whole_text_was_opened(client_as, org, published):
    volunteer = token_person(org)
    published.policy.allow_token_only = True
    published.policy.save()
    from acknowledgements.services import assignments_sync

    assignments_sync()
    assignment = Assignment.objects.get(person=volunteer, version=published)
    token = signed_link_url(assignment).rstrip("/").split("/")[-1]
    response = client_as("anonymous").post(
        reverse("acknowledgements:token_acknowledge", args=[token]), {"agree": "yes"})
    assert response.status_code == 400
    assert not Acknowledgement.objects.exists()


def test_without_token_only_a_person_without_an_account_cannot_acknowledge_from_the_link(
        client_as, org, published):
    volunteer = token_person(org)
    from acknowledgements.services import assignments_sync

    assignments_sync()
    assignment = Assignment.objects.get(person=volunteer, version=published)
    token = signed_link_url(assignment).rstrip("/").split("/")[-1]
    response = client_as("anonymous").get(reverse("acknowledgements:token_read",
                                                  args=[token, 1]))
    assert response.status_code == 302
    assert client_as("anonymous").get(response["Location"])["Location"].startswith(
        reverse("account_login"))


def test_token_only_does_not_bypass_sign_in_for_people_with_accounts(client_as, org,
                                                                    published):
    published.policy.allow_token_only = True
    published.policy.save()
    url = signed_link_url(staff_assignment(org, published))
    response = client_as("anonymous").get(url)
    assert response["Location"].startswith(reverse("account_login"))


def test_hr_can_allow_token_only_acknowledgement_and_it_is_recorded(client_as, org, published):
    from audit.models import AuditEvent

    url = reverse("acknowledgements:token_only", args=[published.policy.pk])
    assert client_as("staff").get(url).status_code == 403
    client_as("hr").post(url, {"allow": "on"})
    published.policy.refresh_from_db()
    assert published.policy.allow_token_only
    assert AuditEvent.objects.filter(action="acknowledgements.token_only_changed").exists()


def test_a_link_opened_after_reading_everything_goes_straight_to_acknowledging(
        client_as, org, published):
    from tests.acknowledgements.conftest import read_everything

    assignment = staff_assignment(org, published)
    client = client_as("staff")
    read_everything(client, assignment)
    start = client.get(client.get(signed_link_url(assignment))["Location"])
    assert start["Location"] == reverse("acknowledgements:acknowledge", args=[assignment.pk])
