import datetime

from django.urls import reverse

from notifications.sweep import run_sweep

TODAY = datetime.date(2026, 11, 26)


def test_an_escalation_email_says_why_the_manager_gets_it(org, collector, mails):
    collector.add(org.manager, kind="ack.escalated_manager", about=org.staff, urgent=True,
                  title="Staff Member has not acknowledged the Social Media Policy",
                  reason="7 days overdue", url="/acknowledgements/people/5/")
    run_sweep(today=TODAY)
    [mail] = mails(org.manager)
    why = ("You are the line manager of someone whose acknowledgement is overdue "
           "(7 days overdue).")
    assert why in mail.body and why in mail.html_body


def test_an_immediate_email_has_a_text_and_an_html_part_with_the_same_link(
    org, collector, mails, settings
):
    settings.SITE_URL = "https://policies.trust.example"
    collector.add(org.staff, urgent=True, url="/acknowledgements/link/signed/")
    run_sweep(today=TODAY)
    [mail] = mails(org.staff)
    link = "https://policies.trust.example/acknowledgements/link/signed/"
    assert link in mail.body and f'href="{link}"' in mail.html_body
    assert f"https://policies.trust.example{reverse('notifications:preferences')}" in mail.body


def test_the_html_email_escapes_what_people_typed(org, collector, mails):
    collector.add(org.staff, urgent=True, title="<script>alert(1)</script> reported")
    run_sweep(today=TODAY)
    [mail] = mails(org.staff)
    assert "<script>" not in mail.html_body and "&lt;script&gt;" in mail.html_body


def test_the_demo_welcome_shows_under_the_bell_without_an_email_and_is_seeded_once(db, mails):
    from django.core.management import call_command

    from notifications.models import Notification
    from notifications.services import flush_outbox

    call_command("seed_demo")
    count = Notification.objects.filter(kind="portal.welcome").count()
    call_command("seed_demo")
    flush_outbox()
    assert count > 0
    assert Notification.objects.filter(kind="portal.welcome").count() == count
    assert not [m for m in mails() if "Welcome" in m.subject]
