from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone


@shared_task(name="notifications.send_notification_email", acks_late=True, ignore_result=True)
def send_notification_email(notification_id: int) -> None:
    from notifications.models import Notification

    # Claim the row first: only one worker can move emailed_at from NULL.
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    link = f"{settings.SITE_URL}{notification.url}" if notification.url else ""
    send_mail(
        subject=notification.title,
        message=f"{notification.body}\n\n{link}".strip(),
        from_email=None,
        recipient_list=[notification.recipient.email],
    )
