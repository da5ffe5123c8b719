"""Session and password rules that OWASP ASVS 4.0.3 level 2 asks for (see docs/security.md).

Already covered elsewhere: MFA for privileged roles and the login rate limit
(tests/foundation/test_mfa.py), production cookie flags (test_headers.py).
"""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

PASSWORD = "correct-horse-battery"


def sign_in(client: Client, user) -> None:
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302 and client.get(reverse("home")).status_code == 200


def test_signing_in_issues_a_new_session_id(org):
    client = Client()
    client.get(reverse("account_login"))
    session = client.session
    session["before"] = "sign-in"
    session.save()
    before = session.session_key
    sign_in(client, org.staff)
    assert client.cookies["sessionid"].value != before


def test_a_session_stolen_before_sign_in_is_not_signed_in(org):
    attacker = Client()
    session = attacker.session
    session["planted"] = True
    session.save()
    victim = Client()
    victim.cookies["sessionid"] = session.session_key
    sign_in(victim, org.staff)
    assert attacker.get(reverse("home")).status_code == 302


def test_signing_out_ends_the_session_on_the_server(org):
    client = Client()
    sign_in(client, org.staff)
    stolen = client.cookies["sessionid"].value
    client.post(reverse("account_logout"))
    replay = Client()
    replay.cookies["sessionid"] = stolen
    response = replay.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_session_ends_after_eight_hours_however_active(org):
    assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
    start = datetime.datetime(2026, 11, 26, 8, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client = Client()
        sign_in(client, org.staff)
        clock.shift(datetime.timedelta(hours=7, minutes=59))
        assert client.get(reverse("home")).status_code == 200
        clock.shift(datetime.timedelta(minutes=2))
        response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_session_cookie_is_never_readable_by_scripts(org):
    client = Client()
    sign_in(client, org.staff)
    assert client.cookies["sessionid"]["httponly"]
    assert client.cookies["sessionid"]["samesite"] == "Lax"


@pytest.mark.parametrize("password, complaint", [
    ("Short-pw-1", "at least 12 characters"),
    ("password1234", "too common"),
    ("849372615048", "entirely numeric"),
])
def test_a_weak_new_password_is_refused_with_the_reason(client_as, password, complaint):
    response = client_as("staff").post(reverse("account_change_password"), {
        "oldpassword": PASSWORD, "password1": password, "password2": password,
    })
    assert response.status_code == 200
    assert complaint in response.content.decode()


def test_a_long_passphrase_without_symbols_is_accepted(client_as, org):
    passphrase = "purple elephants read policies slowly"
    response = client_as("staff").post(reverse("account_change_password"), {
        "oldpassword": PASSWORD, "password1": passphrase, "password2": passphrase,
    })
    assert response.status_code == 302
    org.staff.refresh_from_db()
    assert org.staff.check_password(passphrase)


def test_changing_a_password_needs_the_current_one(client_as, org):
    response = client_as("staff").post(reverse("account_change_password"), {
        "oldpassword": "not-my-password", "password1": "a brand new passphrase",
        "password2": "a brand new passphrase",
    })
    assert response.status_code == 200
    org.staff.refresh_from_db()
    assert org.staff.check_password(PASSWORD)


def test_password_reset_does_not_reveal_whether_an_account_exists(org):
    known = Client().post(reverse("account_reset_password"), {"email": org.staff.email})
    unknown = Client().post(reverse("account_reset_password"), {"email": "nobody@trust.test"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])


def test_a_wrong_password_does_not_say_whether_the_email_exists(org):
    wrong_password = Client().post(reverse("account_login"),
                                   {"login": org.staff.email, "password": "nope-nope-nope"})
    no_account = Client().post(reverse("account_login"),
                               {"login": "nobody@trust.test", "password": "nope-nope-nope"})
    assert wrong_password.status_code == no_account.status_code == 200
    assert _errors(wrong_password) == _errors(no_account)


def _errors(response) -> list[str]:
    return sorted(str(e) for e in response.context["form"].errors.get("__all__", []))
