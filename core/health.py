from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # any failure is reported, not raised
        return {"ok": False, "error": exc.__class__.__name__}


def check_redis() -> dict:
    if not settings.REDIS_URL:
        return {"ok": True, "configured": False}
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        client.ping()
        return {"ok": True, "configured": True}
    except Exception as exc:
        return {"ok": False, "configured": True, "error": exc.__class__.__name__}


def check_worker() -> dict:
    from core.models import WorkerHeartbeat

    try:
        latest = WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True)
        beat_at = latest.first()
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    if beat_at is None:
        return {"ok": False, "last_heartbeat": None}
    age = timezone.now() - beat_at
    return {
        "ok": age <= timedelta(seconds=settings.HEALTH_HEARTBEAT_MAX_AGE),
        "last_heartbeat": beat_at.isoformat(),
        "age_seconds": int(age.total_seconds()),
    }


def health_report(*, worker: bool = True) -> tuple[bool, dict]:
    """Database and Redis; with `worker`, also a recent Celery heartbeat.

    The web container's health check leaves the worker out: a stopped worker must not take the
    web servers out of a load balancer (people can still read and acknowledge; emails wait).
    """
    checks = {"database": check_database(), "redis": check_redis()}
    if worker:
        checks["celery_worker"] = (
            check_worker() if checks["database"]["ok"]
            else {"ok": False, "error": "database down"}
        )
    healthy = all(check["ok"] for check in checks.values())
    return healthy, {"status": "ok" if healthy else "error", "checks": checks}
