"""Celery tasks. Each takes IDs or a date, is safe to run twice, and acknowledges late."""

import logging
from datetime import date

from celery import shared_task
from django.utils import timezone

log = logging.getLogger(__name__)


@shared_task(name="notifications.send_notification_email", acks_late=True, ignore_result=True)
def send_notification_email(notification_id: int) -> None:
    """Route a new notification (immediate, daily summary or portal only) and send it if due."""
    from notifications.services import delivery_send, notification_route

    delivery = notification_route(notification_id=notification_id)
    if delivery is not None:
        delivery_send(delivery_id=delivery.pk)


@shared_task(name="notifications.send_delivery", acks_late=True, ignore_result=True)
def send_delivery(delivery_id: int) -> None:
    from notifications.services import delivery_send

    delivery_send(delivery_id=delivery_id)


@shared_task(name="notifications.flush_outbox", acks_late=True, ignore_result=True)
def flush_outbox() -> int:
    """Every minute: send notifications the broker never saw and retries that are due."""
    from notifications.services import flush_outbox as flush

    return flush()


@shared_task(name="notifications.daily_sweep", acks_late=True, ignore_result=True)
def daily_sweep(day: str | None = None) -> str:
    """Every morning: today's reminders from every app, then each person's daily summary."""
    from notifications.sweep import run_sweep

    today = date.fromisoformat(day) if day else timezone.localdate()
    result = run_sweep(today=today)
    log.info("Daily sweep: %s", result.summary())
    return result.summary()
