"""Who may change an account's email address, and how a change takes effect (issue 17, point 2).

HR took over the administrator by changing their address and resetting the password there.
Now only an administrator changes a Principal's, HR's, the CEO's or an administrator's address;
any change is told to the old address and takes effect only when confirmed from the new one."""

import re

import pytest
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEvent

PRIVILEGED = ["principal", "hr", "ceo", "admin"]


def edit_data(person, **changes) -> dict:
    data = {
        "full_name": person.full_name, "email": person.email, "academy": person.academy_id,
        "job_title": person.job_title, "category": person.category, "role": person.role,
        "start_date": "2015-09-01", "leaving_date": "",
        "line_manager": person.line_manager_id or "", "portal_access": "on",
    }
    data.update(changes)
    return data


def post_edit(client, person, **changes):
    return client.post(reverse("accounts:person_edit", args=[person.pk]),
                       edit_data(person, **changes))


def confirmation_link(mailoutbox, address: str) -> str:
    message = next(m for m in mailoutbox if m.to == [address])
    return re.search(r"https?://\S+/people/email/confirm/\S+/", message.body).group()


@pytest.mark.parametrize("who", PRIVILEGED)
def test_hr_cannot_change_a_privileged_accounts_email(org, client_as, who, mailoutbox):
    person = getattr(org, who)
    post_edit(client_as("hr"), person, email="attacker@evil.test")
    person.refresh_from_db()
    assert person.email != "attacker@evil.test" and person.pending_email == ""
    assert not any("attacker@evil.test" in m.to for m in mailoutbox)


def test_hr_cannot_promote_someone_and_change_their_email_in_one_go(org, client_as):
    page = post_edit(client_as("hr"), org.staff, email="attacker@evil.test", role="hr")
    assert "change the email address of someone with the HR role" in page.content.decode()
    org.staff.refresh_from_db()
    assert org.staff.pending_email == "" and org.staff.role == "staff"


def test_the_edit_form_shows_hr_that_the_email_of_a_principal_is_not_theirs_to_change(
        org, client_as):
    page = client_as("hr").get(reverse("accounts:person_edit", args=[org.principal.pk]))
    assert page.context["form"].fields["email"].disabled
    text = page.content.decode()
    assert "Only an administrator can change the email address of someone with the Princ" in text


def test_an_administrator_changes_the_ceos_email_only_once_the_new_address_confirms(
        org, client_as, mailoutbox, django_capture_on_commit_callbacks):
    old = org.ceo.email
    with django_capture_on_commit_callbacks(execute=True):
        post_edit(client_as("admin"), org.ceo, email="ceo.new@trust.test")
    org.ceo.refresh_from_db()
    assert org.ceo.email == old and org.ceo.pending_email == "ceo.new@trust.test"
    notice = next(m for m in mailoutbox if m.to == [old])
    assert "ceo.new@trust.test" in notice.body
    link = confirmation_link(mailoutbox, "ceo.new@trust.test")
    path = link.split("://", 1)[1].split("/", 1)[1]
    visitor = client_as("anonymous")
    page = visitor.get("/" + path)
    assert page.status_code == 200 and "ceo.new@trust.test" in page.content.decode()
    org.ceo.refresh_from_db()
    assert org.ceo.email == old, "opening the link (a mail scanner) changes nothing"
    visitor.post("/" + path)
    org.ceo.refresh_from_db()
    assert org.ceo.email == "ceo.new@trust.test" and org.ceo.pending_email == ""
    assert AuditEvent.objects.filter(action="accounts.email_changed",
                                     object_id=str(org.ceo.pk)).exists()


def test_a_password_reset_before_confirmation_goes_to_the_old_address_only(
        org, client_as, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post_edit(client_as("hr"), org.staff, email="new.staff@trust.test")
    mailoutbox.clear()
    client_as("anonymous").post(reverse("account_reset_password"),
                                {"email": "new.staff@trust.test"})
    assert not any("/password/reset/key/" in m.body for m in mailoutbox)


def test_hr_changes_a_staff_members_email_and_the_old_address_is_told(
        org, client_as, mailoutbox, django_capture_on_commit_callbacks):
    old = org.staff.email
    with django_capture_on_commit_callbacks(execute=True):
        page = post_edit(client_as("hr"), org.staff, email="new.staff@trust.test")
    assert page.status_code == 302
    assert any(m.to == [old] and "new.staff@trust.test" in m.body for m in mailoutbox)
    detail = client_as("hr").get(reverse("accounts:person_detail", args=[org.staff.pk]))
    assert "waiting for confirmation" in detail.content.decode()


def test_a_used_or_made_up_confirmation_link_changes_nothing(
        org, client_as, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post_edit(client_as("admin"), org.hr, email="hr.new@trust.test")
    path = "/" + confirmation_link(mailoutbox, "hr.new@trust.test").split("/", 3)[3]
    client = client_as("anonymous")
    assert client.post(path).status_code == 200
    assert client.post(path).status_code == 400
    assert client.post(reverse("accounts:email_confirm", args=["made-up"])).status_code == 400
    assert User.objects.filter(email="hr.new@trust.test").count() == 1


def test_a_newer_change_makes_the_older_link_stop_working(
        org, client_as, mailoutbox, django_capture_on_commit_callbacks):
    admin = client_as("admin")
    with django_capture_on_commit_callbacks(execute=True):
        post_edit(admin, org.staff, email="first@trust.test")
        post_edit(admin, org.staff, email="second@trust.test")
    first = "/" + confirmation_link(mailoutbox, "first@trust.test").split("/", 3)[3]
    assert client_as("anonymous").post(first).status_code == 400
    org.staff.refresh_from_db()
    assert org.staff.email.startswith("person")
