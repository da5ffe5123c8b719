from django.urls import reverse

from accounts.permissions import can
from core.hooks import HomePanel, NavItem
from notifications.models import Notification

# Notifications change only their recipient's badge: see notifications.services (bump_people).
NAV_MODELS: list[str] = []


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
                             badge=_unread(request) or None, badge_label="unread"))
    if can(request.user, "notifications.deliveries"):
        items.append(NavItem("Email deliveries", reverse("notifications:deliveries"), order=95))
    return items


def home_panels(request) -> list[HomePanel]:
    if not can(request.user, "notifications.view"):
        return []
    if getattr(request, "_notifications_unread", None) == 0:
        return []
    # The five newest unread (the panel shows title, link, urgency and time). Fewer than five
    # means that is all of them, so the count needs no second query.
    latest = list(Notification.objects.filter(recipient=request.user, read_at__isnull=True)
                  .only("title", "url", "urgent", "created_at")[:5])
    if len(latest) < 5 and getattr(request, "_notifications_unread", None) is None:
        request._notifications_unread = len(latest)
    if not latest:
        return []
    return [HomePanel(
        "Unread notifications", "notifications/_home_panel.html",
        context={"items": latest, "count": _unread(request)}, order=90,
        urgent=any(n.urgent for n in latest),
    )]
