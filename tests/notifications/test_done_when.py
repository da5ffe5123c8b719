"""The issue's "done when", end to end with the real apps' rules and the demo data."""

import datetime

from django.core.management import call_command
from django.test import Client

from accounts.models import User
from acknowledgements.models import Assignment
from core.models import OutboxMessage


def test_moving_the_clock_sends_staff_a_working_signed_link_and_their_manager_an_escalation_once(
    db, settings, capsys
):
    settings.SITE_URL = "https://policies.trust.example"
    call_command("seed_demo")
    aisha = User.objects.get(email="teacher.northfield@trust.example")
    james = User.objects.get(email="manager.northfield@trust.example")
    assert aisha.line_manager == james
    due = Assignment.objects.get(person=aisha).due_on
    week_late = (due + datetime.timedelta(days=7)).isoformat()

    call_command("send_reminders", "--date", week_late)
    call_command("send_reminders", "--date", week_late)

    overdue = OutboxMessage.objects.filter(to=aisha.email, subject__contains="Overdue: please")
    escalation = OutboxMessage.objects.filter(to=james.email,
                                              subject__contains="Aisha Khan has not acknowledged")
    assert overdue.count() == 1 and escalation.count() == 1
    body = overdue.get().body
    link = next(word for word in body.split() if "/acknowledgements/link/" in word)
    assert link.startswith("https://policies.trust.example/acknowledgements/link/")

    client = Client()
    client.force_login(aisha)
    response = client.get(link.removeprefix("https://policies.trust.example"), follow=True)
    assert response.status_code == 200
    assert "/acknowledgements/a/" in response.redirect_chain[-1][0]
