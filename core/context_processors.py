from django.conf import settings

from accounts.permissions import can
from core import hooks


def portal(request) -> dict:
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "TRUST_NAME": settings.TRUST_NAME,
        "DEBUG": settings.DEBUG,
        "nav_items": hooks.nav_items(request) if signed_in else [],
        "can_view_outbox": signed_in and settings.DEBUG and can(user, "outbox.view"),
    }
