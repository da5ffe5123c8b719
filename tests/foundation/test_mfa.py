import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from accounts.demo import DEMO_TOTP_SECRET
from accounts.models import Role
from tests.factories import person_make


def totp_code() -> str:
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30))


@pytest.mark.parametrize("role", [Role.PRINCIPAL, Role.HR, Role.CEO, Role.ADMIN])
def test_a_privileged_user_without_an_authenticator_must_enrol_before_any_page(org, role):
    if role == Role.PRINCIPAL:
        org.outsider.delete()
        org.other_principal.delete()
    person = person_make(role=role, academy=org.other if role == Role.PRINCIPAL else org.central,
                         mfa=False)
    client = Client()
    client.force_login(person)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_staff_reach_their_home_page_without_an_authenticator(client_as):
    assert client_as("staff").get(reverse("home")).status_code == 200


def test_signing_in_as_a_privileged_user_asks_for_the_authenticator_code(org):
    client = Client()
    response = client.post(reverse("account_login"),
                           {"login": org.hr.email, "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("home")).status_code == 302  # not signed in yet
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_authenticator_code_does_not_sign_in(org):
    client = Client()
    client.post(reverse("account_login"),
                {"login": org.ceo.email, "password": "correct-horse-battery"})
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200
    assert client.get(reverse("home")).status_code == 302


def test_the_demo_totp_command_prints_the_current_code(org, capsys):
    from django.core.management import call_command

    call_command("demo_totp", org.hr.email)
    assert capsys.readouterr().out.strip() == totp_code()
    assert Authenticator.objects.filter(user=org.hr).exists()


def test_there_is_no_open_sign_up(db):
    response = Client().get(reverse("account_signup"))
    assert b"Sign Up Closed" in response.content or response.status_code in (302, 403)


def test_repeated_failed_sign_ins_are_rate_limited(org):
    client = Client()
    for _ in range(5):
        client.post(reverse("account_login"), {"login": org.staff.email, "password": "wrong"})
    response = client.post(
        reverse("account_login"), {"login": org.staff.email, "password": "correct-horse-battery"}
    )
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_a_person_is_emailed_when_their_password_changes(client_as, org, mailoutbox):
    client_as("staff").post(reverse("account_change_password"), {
        "oldpassword": "correct-horse-battery", "password1": "an-entirely-new-passphrase",
        "password2": "an-entirely-new-passphrase",
    })
    assert [m.to for m in mailoutbox] == [[org.staff.email]]
    assert "password" in mailoutbox[0].subject.lower()


def test_removing_the_authenticator_sends_a_privileged_user_to_enrol_on_the_next_page(
        client_as, org):
    client = client_as("hr")
    assert client.get(reverse("home")).status_code == 200  # "has an authenticator" now cached
    Authenticator.objects.filter(user=org.hr).delete()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_a_code_used_twice_says_it_was_already_used_and_to_wait_for_the_next(org):
    code = totp_code()
    first, second = Client(), Client()
    for client in (first, second):
        client.post(reverse("account_login"),
                    {"login": org.hr.email, "password": "correct-horse-battery"})
    assert first.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    page = second.post(reverse("mfa_authenticate"), {"code": code}).content.decode()
    assert "already been used" in page and "Wait for the next code" in page
    assert second.get(reverse("home")).status_code == 302  # still not signed in


def test_a_wrong_code_still_says_incorrect(org):
    client = Client()
    client.post(reverse("account_login"),
                {"login": org.hr.email, "password": "correct-horse-battery"})
    page = client.post(reverse("mfa_authenticate"), {"code": "000000"}).content.decode()
    assert "Incorrect code." in page and "already been used" not in page


def test_the_two_factor_step_has_its_own_page_title(org):
    client = Client()
    client.post(reverse("account_login"),
                {"login": org.hr.email, "password": "correct-horse-battery"})
    page = client.get(reverse("mfa_authenticate")).content.decode()
    assert "<title>Sign in: two-factor authentication code" in page
