"""Redis (the Celery broker) is down while people report misuse and acknowledge the policy.

The broker is pointed at a closed loopback port, as if Redis had stopped: nothing is queued,
yet both the report and the acknowledgement are saved with their notifications, and the
emails go out (once) when the outbox flush runs after Redis is back. The shared Redis on this
machine is never touched. scripts/faults/redis_stop.sh does the same against a real Redis.
"""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from core.models import OutboxMessage

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def _forget_connections(app) -> None:
    """Make the next publish connect to the broker now configured."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture(autouse=True)
def outbox_backend(settings):
    """Emails land in the database outbox, as in the demo and on a laptop."""
    settings.EMAIL_BACKEND = "core.mail.OutboxEmailBackend"


@pytest.fixture
def redis_down():
    from portal.celery import app

    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=CLOSED_PORT_BROKER, task_always_eager=False)
    _forget_connections(app)
    yield
    app.conf.update(**saved)
    _forget_connections(app)


@pytest.fixture
def demo(db):
    """The demo trust with the Social Media Policy published (acknowledgement requests out)."""
    from accounts import demo as accounts_demo

    policies_demo = pytest.importorskip("policies.demo")
    accounts_demo.seed()
    policies_demo.seed()
    people = {u.email.split("@")[0]: u for u in User.objects.all()}
    from notifications.kinds import GROUPS, IMMEDIATE
    from notifications.services import preferences_update

    for person in people.values():  # everyone asks for emails straight away
        preferences_update(user=person, choices={
            code: IMMEDIATE for code, group in GROUPS.items() if IMMEDIATE in group.choices})
    return people


def _report(client) -> None:
    response = client.post(reverse("breaches:report_new"), {
        "concerned_kind": "unknown", "concerned_description": "@someone",
        "platform": "instagram", "seen_at": "2026-11-20T18:30",
        "description": "A post naming a pupil.", "identity": "named", "action": "submit",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("breaches:report_sent")


def _acknowledge(client, person) -> None:
    from acknowledgements.models import Assignment
    from acknowledgements.sections import sections_of

    assignment = Assignment.objects.live().outstanding().get(person=person)
    for section in sections_of(assignment.version, person.academy):
        page = reverse("acknowledgements:read", args=[assignment.pk, section.index])
        assert client.get(page).status_code == 200
    answers = {f"q{q.pk}": str(q.correct_choice) for q in assignment.version.ack_questions.all()}
    response = client.post(reverse("acknowledgements:acknowledge", args=[assignment.pk]),
                           {"agree": "yes", **answers})
    assert response.status_code == 302, response.context.get("errors")
    assert "/receipt/" in response["Location"]


def test_a_report_and_an_acknowledgement_made_while_redis_is_down_are_saved_and_sent_later(
    demo, redis_down, django_capture_on_commit_callbacks
):
    pytest.importorskip("breaches.models")
    from acknowledgements.models import Acknowledgement
    from breaches.models import Case
    from notifications.models import Notification
    from notifications.services import flush_outbox

    teacher = demo["teacher.northfield"]
    client = Client()
    client.force_login(teacher)
    with django_capture_on_commit_callbacks(execute=True):
        _report(client)
        _acknowledge(client, teacher)

    assert Case.objects.filter(reporter=teacher).count() == 1
    assert Acknowledgement.objects.filter(person=teacher).count() == 1
    waiting = Notification.objects.filter(kind__startswith="breach")
    assert waiting.exists()
    assert set(waiting.values_list("email_state", flat=True)) == {"new"}
    assert OutboxMessage.objects.count() == 0  # nothing could be queued

    from portal.celery import app  # Redis is back

    app.conf.update(task_always_eager=True)
    flush_outbox()
    first_round = OutboxMessage.objects.count()
    assert first_round >= 1
    recipients = set(OutboxMessage.objects.values_list("to", flat=True))
    assert {n.recipient.email for n in waiting} <= recipients
    flush_outbox()
    assert OutboxMessage.objects.count() == first_round  # nobody gets it twice
