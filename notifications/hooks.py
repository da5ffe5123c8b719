from django.urls import reverse

from accounts.permissions import can
from core.hooks import HomePanel, NavItem
from notifications.models import Notification


def _unread(request) -> int:
    cached = getattr(request, "_notifications_unread", None)
    if cached is None:
        cached = Notification.objects.filter(recipient=request.user, read_at__isnull=True).count()
        request._notifications_unread = cached
    return cached


def nav_items(request) -> list[NavItem]:
    items = []
    if can(request.user, "notifications.view"):
        items.append(NavItem("Notifications", reverse("notifications:list"), order=90,
                             badge=_unread(request) or None))
    if can(request.user, "notifications.deliveries"):
        items.append(NavItem("Email deliveries", reverse("notifications:deliveries"), order=95))
    return items


def home_panels(request) -> list[HomePanel]:
    if not can(request.user, "notifications.view") or not _unread(request):
        return []
    latest = list(Notification.objects.filter(recipient=request.user, read_at__isnull=True)[:5])
    return [HomePanel(
        "Unread notifications", "notifications/_home_panel.html",
        context={"items": latest, "count": _unread(request)}, order=90,
        urgent=any(n.urgent for n in latest),
    )]
