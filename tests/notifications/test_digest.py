import datetime

from django.urls import reverse

from notifications.models import Delivery, Notification
from notifications.services import digests_send, notify
from notifications.sweep import run_sweep

TODAY = datetime.date(2026, 11, 26)


def test_everything_outstanding_for_a_person_arrives_in_one_summary_email(org, collector, mails):
    collector.add(org.manager, kind="ack.due_soon", title="Acknowledge by Friday")
    collector.add(org.manager, kind="ack.escalated_manager", about=org.staff,
                  title="Staff Member has not acknowledged")
    collector.add(org.manager, kind="approval.decision_due", about=org.academy,
                  title="A request waits for your decision")
    run_sweep(today=TODAY)
    [mail] = mails(org.manager)
    assert mail.subject == "Your Policy Portal summary for 26 November 2026: 3 items"
    for title in ["Acknowledge by Friday", "Staff Member has not acknowledged",
                  "A request waits for your decision"]:
        assert title in mail.body and title in mail.html_body


def test_each_person_gets_their_own_summary(org, collector, mails):
    collector.add(org.staff, title="For staff")
    collector.add(org.colleague, title="For colleague")
    run_sweep(today=TODAY)
    assert "For staff" in mails(org.staff)[0].body
    assert "For colleague" not in mails(org.staff)[0].body
    assert "For colleague" in mails(org.colleague)[0].body


def test_the_summary_says_why_it_was_sent_and_how_to_change_it(org, collector, mails):
    collector.add(org.staff, reason="Your acknowledgement is 3 days overdue.")
    run_sweep(today=TODAY)
    [mail] = mails(org.staff)
    preferences = reverse("notifications:preferences")
    for part in (mail.body, mail.html_body):
        assert "Why you are getting this email" in part
        assert "Your acknowledgement is 3 days overdue." in part
        assert preferences in part


def test_the_summary_carries_the_signed_link_as_a_full_address(org, collector, mails, settings):
    settings.SITE_URL = "https://policies.trust.example"
    collector.add(org.staff, url="/acknowledgements/sign/signed-token-123/")
    run_sweep(today=TODAY)
    [mail] = mails(org.staff)
    link = "https://policies.trust.example/acknowledgements/sign/signed-token-123/"
    assert link in mail.body and f'href="{link}"' in mail.html_body


def test_items_read_in_the_portal_before_the_summary_are_not_emailed(org, mails):
    from django.utils import timezone

    read = notify(recipient=org.staff, kind="policy.review_due", title="Already read",
                  about=org.academy)
    notify(recipient=org.staff, kind="policy.review_due", title="Still unread",
           about=org.other)
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())
    from notifications.services import route_pending

    route_pending()
    digests_send(today=TODAY)
    [mail] = mails(org.staff)
    assert "Still unread" in mail.body and "Already read" not in mail.body


def test_a_second_summary_the_same_day_sends_nothing_and_new_items_wait_for_tomorrow(
    org, collector, mails
):
    collector.add(org.staff, title="Morning item", period="a")
    run_sweep(today=TODAY)
    collector.add(org.staff, title="Afternoon item", period="b")
    assert run_sweep(today=TODAY).emails == 0
    assert len(mails(org.staff)) == 1
    run_sweep(today=TODAY + datetime.timedelta(days=1))
    later = mails(org.staff)[1]
    assert "Afternoon item" in later.body and "Morning item" not in later.body


def test_a_summary_is_logged_once_per_person_and_day(org, collector):
    collector.add(org.staff)
    run_sweep(today=TODAY)
    run_sweep(today=TODAY)
    digest = Delivery.objects.get(kind="digest")
    assert (digest.recipient, digest.period, digest.status) == (org.staff, "2026-11-26", "sent")


def test_nobody_with_nothing_outstanding_gets_a_summary(org, collector, mails):
    run_sweep(today=TODAY)
    assert mails() == []
