"""Tell people about things. Every app calls `notify()`; nothing else sends reminders."""

from django.db import IntegrityError, models, transaction

from notifications.models import Notification


def notify(
    *,
    recipient,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    about: models.Model | None = None,
    period: str = "",
    urgent: bool = False,
) -> Notification | None:
    """Record a notification once per (recipient, kind, about, period) and queue its email.

    Returns None when the same notification already exists (so callers may retry freely).
    Call it inside the transaction of the change it reports: the row commits with it, and the
    email is queued only after commit.
    """
    if recipient is None or not recipient.is_active:
        return None
    about_type = about._meta.label_lower if about is not None else ""
    about_id = str(about.pk) if about is not None else ""
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient, kind=kind, title=title[:300], body=body, url=url,
                about_type=about_type, about_id=about_id, period=period, urgent=urgent,
            )
    except IntegrityError:
        return None
    transaction.on_commit(lambda: _queue_email(notification.pk))
    return notification


def _queue_email(notification_id: int) -> None:
    from notifications.tasks import send_notification_email

    try:
        send_notification_email.delay(notification_id)
    except Exception:  # broker down: the row stays unsent and the sweep sends it later
        import logging

        logging.getLogger(__name__).warning("Broker unavailable; notification %s kept",
                                            notification_id)
