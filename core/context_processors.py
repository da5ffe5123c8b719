from django.conf import settings

from accounts.permissions import can
from core import hooks


def portal(request) -> dict:
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    items = hooks.nav_items(request) if signed_in else []
    # The current section is the link whose address is the longest prefix of this page's.
    matching = [i.url for i in items if i.url != "/" and request.path.startswith(i.url)]
    return {
        "TRUST_NAME": settings.TRUST_NAME,
        "DEBUG": settings.DEBUG,
        "nav_items": items,
        "current_nav_url": max(matching, key=len) if matching else "",
        "can_view_outbox": signed_in and settings.DEBUG and can(user, "outbox.view"),
    }
