from unittest import mock

from django.urls import reverse

from audit.models import AuditEvent
from breaches.models import Case
from notifications.models import Notification
from tests.breaches.conftest import PNG_BYTES, upload


def _form(org, **extra):
    return {"concerned_kind": "person", "concerned": org.colleague.pk, "platform": "facebook",
            "links": "https://www.facebook.com/x/posts/1", "seen_at": "2026-11-20T18:30",
            "description": "She posted a photo of a pupil.", "identity": "named",
            "action": "submit", **extra}


def test_a_teacher_reports_a_colleague_with_a_screenshot_and_clauses(
        client_as, org, clause):
    response = client_as("staff").post(reverse("breaches:report_new"), _form(
        org, clauses=[clause("10.6 b)").pk, clause("10.4 b)").pk],
        evidence_file=upload("post.png", PNG_BYTES), evidence_description="The post"))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.reporter == org.staff
    assert case.concerned == org.colleague
    assert sorted(case.cited_clauses.values_list("number", flat=True)) == ["10.4 b)", "10.6 b)"]
    assert case.evidence.get().original_name == "post.png"



def test_the_reporter_sees_the_reference_after_sending(client_as, org):
    client = client_as("staff")
    response = client.post(reverse("breaches:report_new"), _form(org), follow=True)
    assert f"Report sent: {Case.objects.get().reference}" in response.content.decode()


def test_the_form_shows_each_clause_with_its_text(client_as, policy_version):
    page = client_as("staff").get(reverse("breaches:report_new")).content.decode()
    assert "10.4 j): If you see content in social media that disparages" in page


def test_a_safeguarding_report_tells_the_reporter_to_record_it_in_cpoms(client_as, org):
    client = client_as("staff")
    response = client.post(reverse("breaches:report_new"), _form(
        org, safeguarding="on", cpoms_reference="CP-2026-41"), follow=True)
    assert "Record it in CPOMS too" in response.content.decode()
    assert Case.objects.get().cpoms_reference == "CP-2026-41"


def test_an_anonymous_report_stores_nothing_about_the_reporter(client_as, org):
    client_as("staff").post(reverse("breaches:report_new"), _form(org, identity="anonymous"))
    case = Case.objects.get()
    assert case.reporter is None and case.anonymous
    event = AuditEvent.objects.get(action="breaches.report_submitted")
    assert event.actor is None and event.ip_address is None
    assert org.staff.email not in str(event.changes) + event.actor_label
    assert not case.events.filter(actor=org.staff).exists()
    assert case.events.get().actor_label == "Anonymous reporter"


def test_the_report_page_explains_what_anonymity_means_for_follow_up(client_as):
    page = client_as("staff").get(reverse("breaches:report_new")).content.decode()
    assert "Nobody can contact you for more detail" in page


def test_a_draft_is_kept_on_the_server_and_shown_again(client_as, org):
    client = client_as("staff")
    client.post(reverse("breaches:report_autosave"), {
        "description": "Half written", "platform": "tiktok",
        "draft_token": "6f1c2b9e-2f55-4a8e-9a39-0d7c5f0e1a11"})
    page = client_as("staff").get(reverse("breaches:report_new")).content.decode()
    assert "Half written" in page


def test_a_file_attached_to_a_draft_goes_with_the_report(client_as, org):
    client = client_as("staff")
    client.post(reverse("breaches:report_new"), {
        **_form(org), "action": "attach", "evidence_file": upload("one.png", PNG_BYTES)})
    client.post(reverse("breaches:report_new"), _form(org))
    assert Case.objects.get().evidence.get().original_name == "one.png"
    assert not org.staff.breach_drafts.exists()


def test_a_report_is_saved_and_its_notification_kept_while_redis_is_down(
        client_as, org, django_capture_on_commit_callbacks):
    from kombu.exceptions import OperationalError

    down = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with mock.patch("notifications.tasks.send_notification_email.delay", side_effect=down):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client_as("staff").post(reverse("breaches:report_new"), _form(org))
    assert response.status_code == 302
    assert callbacks, "the email was to be queued after commit"
    case = Case.objects.get()
    note = Notification.objects.get(recipient=org.principal, kind="breaches.report_received")
    assert note.emailed_at is None and note.email_state == "new"  # kept in the outbox
    assert case.reference in note.title
    from django.core import mail

    from notifications.services import flush_outbox

    flush_outbox()  # Redis is back: the next flush sends it
    assert [m.to for m in mail.outbox if case.reference in m.subject] == [[org.principal.email]]


def test_script_in_a_report_is_shown_as_text(client_as, team_client, org):
    client_as("staff").post(reverse("breaches:report_new"), _form(
        org, description="<script>alert('x')</script> was posted"))
    case = Case.objects.get()
    page = team_client("principal").get(reverse("breaches:case_detail", args=[case.pk]))
    html = page.content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; was posted" in html
    assert "<script>alert" not in html


def test_links_that_are_not_web_addresses_are_refused(client_as, org):
    response = client_as("staff").post(reverse("breaches:report_new"), _form(
        org, links="javascript:alert(1)"))
    assert "not web addresses" in response.content.decode()
    assert not Case.objects.exists()


def test_a_line_manager_logs_a_phone_report_on_someones_behalf(client_as, org):
    response = client_as("manager").post(reverse("breaches:report_log"), {
        **_form(org), "received_via": "phone", "on_behalf_of": org.staff.pk})
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.reporter == org.staff and case.logged_by == org.manager
    assert case.received_via == "phone"
    assert Notification.objects.filter(recipient=org.staff, kind="breaches.report_logged"
                                       ).exists()


def test_ordinary_staff_cannot_log_on_someones_behalf(client_as):
    assert client_as("staff").get(reverse("breaches:report_log")).status_code == 403


def test_a_report_logged_anonymously_on_someones_behalf_stores_no_reporter(client_as, org):
    client_as("manager").post(reverse("breaches:report_log"), {
        **_form(org), "received_via": "paper", "on_behalf_of": org.staff.pk,
        "reporter_name": "A parent", "identity": "anonymous"})
    case = Case.objects.get()
    assert case.anonymous and case.reporter is None and case.reporter_name == ""
    assert case.logged_by == org.manager


def test_a_manager_cannot_log_a_report_about_themselves(client_as, org):
    response = client_as("manager").post(reverse("breaches:report_log"), {
        **_form(org, concerned=org.manager.pk), "received_via": "phone",
        "on_behalf_of": org.staff.pk})
    assert "cannot log a report about yourself" in response.content.decode()
    assert not Case.objects.exists()


def test_the_person_concerned_reading_the_allegation_is_recorded(client_as, org, make_case):
    from breaches import services

    case = make_case()
    services.case_notify_concerned(case=case, actor=org.principal, message="Told.")
    client_as("colleague").get(reverse("breaches:about_me", args=[case.pk]))
    assert AuditEvent.objects.filter(action="breaches.allegation_viewed",
                                     actor=org.colleague).exists()


def test_section_headings_are_not_offered_as_clauses(client_as, clause):
    page = client_as("staff").get(reverse("breaches:report_new")).content.decode()
    assert f'value="{clause("11").pk}"' not in page
    assert f'value="{clause("11.1").pk}"' in page


def test_a_cyberbullying_report_keeps_what_the_reporter_would_like_to_happen(
        client_as, team_client, org):
    client_as("staff").post(reverse("breaches:report_new"), _form(
        org, cyberbullying="on", reporter_wishes="I would like it taken down, no more."))
    case = Case.objects.get()
    page = team_client("principal").get(reverse("breaches:case_detail", args=[case.pk]))
    assert "I would like it taken down, no more." in page.content.decode()
