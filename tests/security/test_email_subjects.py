"""Email subjects are plain text (issue 17, point 8): what people typed is sent as typed, not
HTML-escaped ("Changes asked for: … &lt;img …&#x27;")."""

import datetime

from notifications.models import Delivery
from notifications.sweep import run_sweep
from tests.notifications.conftest import collector, mails, outbox_backend  # noqa: F401

TODAY = datetime.date(2026, 11, 26)
TYPED = "Changes asked for: Tom & Jerry's <img src=x onerror=alert(1)> \"post\""


def test_an_email_subject_is_what_was_typed_not_html_escaped(org, collector, mails):  # noqa: F811
    collector.add(org.staff, urgent=True, title=TYPED)
    run_sweep(today=TODAY)
    [mail] = mails(org.staff)
    assert mail.subject == f"[Urgent] {TYPED}"
    assert Delivery.objects.get(recipient=org.staff).email_subject == f"[Urgent] {TYPED}"


def test_the_html_body_still_escapes_the_same_title(org, collector, mails):  # noqa: F811
    collector.add(org.staff, urgent=True, title=TYPED)
    run_sweep(today=TODAY)
    [mail] = mails(org.staff)
    assert "<img src=x" not in mail.html_body and "&lt;img src=x" in mail.html_body


def test_a_subject_never_carries_a_line_break_or_control_character(org, collector, mails):  # noqa: F811
    collector.add(org.staff, urgent=True, title="Two\nlines and\ra bell\x07")
    run_sweep(today=TODAY)
    [mail] = mails(org.staff)
    assert mail.subject == "[Urgent] Two lines and a bell"
