import socket

from celery import shared_task
from django.utils import timezone


@shared_task(name="core.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Run by beat every 30 seconds; proves a worker is consuming the queue."""
    from core.models import WorkerHeartbeat

    WorkerHeartbeat.objects.update_or_create(
        hostname=socket.gethostname(), defaults={"beat_at": timezone.now()}
    )
