from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from core.models import WorkerHeartbeat
from core.tasks import heartbeat


def test_health_is_ok_when_the_database_and_a_recent_worker_heartbeat_are_there(client, db):
    heartbeat()
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["checks"]["database"]["ok"] is True


def test_health_fails_when_no_worker_has_beaten_recently(client, db):
    WorkerHeartbeat.objects.create(hostname="w1", beat_at=timezone.now() - timedelta(hours=1))
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["celery_worker"]["ok"] is False


def test_health_reports_a_stopped_redis(client, db, settings):
    heartbeat()
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == {
        "ok": False, "configured": True, "error": "ConnectionError"
    }


def test_health_reports_a_running_redis(client, db, settings):
    heartbeat()
    settings.REDIS_URL = "redis://127.0.0.1:6379/15"
    response = client.get(reverse("healthz"))
    assert response.json()["checks"]["redis"]["ok"] is True


def test_the_web_servers_own_check_stays_healthy_while_the_worker_is_stopped(client, db):
    WorkerHeartbeat.objects.create(hostname="w1", beat_at=timezone.now() - timedelta(hours=1))
    response = client.get(reverse("healthz") + "?web")
    assert response.status_code == 200
    assert "celery_worker" not in response.json()["checks"]
