from django.urls import reverse

from accounts.models import User
from audit.models import AuditEvent


def person_data(org, **overrides):
    data = {
        "full_name": "Nadia Brown", "email": "Nadia.Brown@trust.test",
        "academy": org.academy.pk, "job_title": "Teacher", "category": "employee",
        "role": "staff", "start_date": "2026-09-01", "leaving_date": "",
        "line_manager": org.manager.pk, "portal_access": "on",
    }
    return {**data, **overrides}


def test_hr_adds_a_person_who_is_invited_to_set_a_password(
    client_as, org, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as("hr").post(reverse("accounts:person_create"), person_data(org))
    person = User.objects.get(email="nadia.brown@trust.test")
    assert response.status_code == 302 and person.line_manager == org.manager
    assert not person.has_usable_password()
    assert mailoutbox[0].to == ["nadia.brown@trust.test"]
    assert AuditEvent.objects.filter(action="accounts.person_created", object_id=str(person.pk))


def test_the_invitation_link_lets_the_person_set_a_password_and_sign_in(
    client, org, mailoutbox
):
    import re
    from urllib.parse import urlparse

    from accounts.services import invitation_send

    invitation_send(person=org.staff)
    link = urlparse(re.search(r"https?://\S+", mailoutbox[0].body).group(0)).path
    form_page = client.get(link, follow=True)
    response = client.post(form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
                           {"password1": "a-brand-new-passphrase", "password2":
                            "a-brand-new-passphrase"})
    assert response.status_code == 302
    org.staff.refresh_from_db()
    assert org.staff.check_password("a-brand-new-passphrase")


def test_a_second_principal_for_an_academy_is_refused_with_a_clear_message(client_as, org):
    response = client_as("hr").post(reverse("accounts:person_create"),
                                    person_data(org, role="principal"))
    assert response.status_code == 200
    assert "already has a Principal: Principal North" in response.content.decode()
    assert not User.objects.filter(email="nadia.brown@trust.test").exists()


def test_hr_cannot_make_someone_ceo_but_an_administrator_can(client_as, org):
    hr_form = client_as("hr").get(reverse("accounts:person_create")).content.decode()
    admin_form = client_as("admin").get(reverse("accounts:person_create")).content.decode()
    assert 'value="ceo"' not in hr_form
    assert 'value="ceo"' in admin_form


def test_setting_a_leaving_date_is_recorded_as_a_leaver(client_as, org):
    data = person_data(org, full_name=org.staff.full_name, email=org.staff.email,
                       leaving_date="2026-12-31", start_date="2020-09-01")
    client_as("hr").post(reverse("accounts:person_edit", args=[org.staff.pk]), data)
    event = AuditEvent.objects.get(action="accounts.person_left")
    assert event.changes["leaving_date"] == ["None", "2026-12-31"]


def test_a_principal_cannot_add_or_edit_people(client_as, org):
    assert client_as("principal").get(reverse("accounts:person_create")).status_code == 403
    url = reverse("accounts:person_edit", args=[org.staff.pk])
    assert client_as("principal").post(url, person_data(org)).status_code == 403


def test_the_outbox_shows_sent_mail_to_the_administrator_in_debug(client_as, org, settings):
    from django.core.mail import send_mail

    settings.DEBUG = True
    settings.EMAIL_BACKEND = "core.mail.OutboxEmailBackend"
    send_mail("Reminder: read the policy", "Body", None, [org.staff.email])
    page = client_as("admin").get(reverse("outbox")).content.decode()
    assert "Reminder: read the policy" in page
    assert client_as("hr").get(reverse("outbox")).status_code == 403


def test_the_outbox_does_not_exist_outside_debug(client_as, settings):
    settings.DEBUG = False
    assert client_as("admin").get(reverse("outbox")).status_code == 404
