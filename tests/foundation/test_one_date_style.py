"""One way to write a date ("6 December 2026") and a time ("16:00", 24-hour), the same in
pages, emails, CSVs and PDFs, through one helper (core.dates and its template filters)."""

import datetime
import re

import pytest
import time_machine
from django.template import Context, Template
from django.urls import reverse

from core.dates import format_date, format_datetime, format_time
from core.models import OutboxMessage
from notifications.services import flush_outbox
from tests.approvals.conftest import decide, make_exception, make_post

#: 03:21 in London on 6 December: a morning time that "3:21 a.m." would have shown.
EARLY = datetime.datetime(2026, 12, 6, 3, 21, tzinfo=datetime.UTC)
OTHER_STYLES = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b[ap]\.m\.|\b\d{1,2}:\d{2} ?[AaPp][Mm]\b")


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.EMAIL_BACKEND = "core.mail.OutboxEmailBackend"


def test_the_helper_writes_one_date_style_and_a_24_hour_time():
    assert format_date(EARLY) == "6 December 2026"
    assert format_time(EARLY) == "03:21"
    assert format_datetime(EARLY) == "6 December 2026, 03:21"
    assert format_date(datetime.date(2027, 1, 9)) == "9 January 2027"
    assert format_datetime(None) == "" and format_date(None) == ""


@pytest.mark.parametrize("template", [
    '{{ when|as_datetime }}', '{{ when|date:"DATETIME_FORMAT" }}',
    '{{ when|date:"SHORT_DATETIME_FORMAT" }}', '{{ when|date }}, {{ when|time }}',
])
def test_every_named_django_format_agrees_with_the_helper(template):
    text = Template(template).render(Context({"when": EARLY}))
    assert text == "6 December 2026, 03:21"


def test_the_notifications_list_writes_times_in_24_hours(client_as, org):
    with time_machine.travel(EARLY, tick=False):
        make_post(org.staff)
    page = client_as("principal").get(reverse("notifications:list")).content.decode()
    assert "6 December 2026, 03:21" in page
    assert not OTHER_STYLES.findall(page)


def test_an_approval_page_writes_every_date_the_same_way(client_as, org):
    with time_machine.travel(EARLY, tick=False):
        req = make_exception(org.staff)
        decide(req, org.principal)
    page = client_as("staff").get(reverse("approvals:detail", args=[req.pk])).content.decode()
    assert "6 December 2026, 03:21" in page
    assert not OTHER_STYLES.findall(page)


def test_the_register_csv_writes_dates_like_the_pages(client_as, org):
    with time_machine.travel(EARLY, tick=False):
        req = make_exception(org.staff)
        decide(req, org.principal)
    csv_text = client_as("principal").get(
        reverse("approvals:register") + "?format=csv").content.decode()
    assert "6 December 2026" in csv_text
    assert format_date(req.valid_until) in csv_text
    assert not OTHER_STYLES.findall(csv_text)


def test_an_email_writes_the_due_time_like_the_pages(org):
    from notifications.services import preferences_update

    preferences_update(user=org.principal, choices={"approvals": "immediate"})
    with time_machine.travel(EARLY, tick=False):
        req = make_post(org.staff)
    flush_outbox()
    mail = OutboxMessage.objects.filter(to=org.principal.email).first()
    assert mail is not None
    assert f"Decision due {format_datetime(req.due_at)}" in mail.body
    assert not OTHER_STYLES.findall(mail.body)
