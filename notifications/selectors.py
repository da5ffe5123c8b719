from django.http import Http404

from notifications.models import Notification


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def get_notification_for_user(user, pk: int) -> Notification:
    """A person sees only their own notifications; anyone else's is 404."""
    notification = Notification.objects.filter(pk=pk, recipient=user).first()
    if notification is None:
        raise Http404("No such notification.")
    return notification
