from django.conf import settings
from django.utils.functional import SimpleLazyObject

from accounts.permissions import can
from core import hooks


def portal(request) -> dict:
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)

    # Worked out only when a template shows the navigation (not for partials or the floor view),
    # and at most once per request.
    def items() -> list:
        cached = getattr(request, "_portal_nav_items", None)
        if cached is None:
            cached = request._portal_nav_items = hooks.nav_items(request) if signed_in else []
        return cached

    def every_item() -> list:
        extra = []
        if signed_in and settings.DEBUG and can(user, "outbox.view"):
            from django.urls import reverse

            extra = [hooks.NavItem("Outbox", reverse("outbox"), order=99)]
        return [*items(), *extra]

    def layout():
        cached = getattr(request, "_portal_nav_layout", None)
        if cached is None:
            cached = request._portal_nav_layout = hooks.nav_layout(every_item())
        return cached

    def current() -> str:
        # The current section is the link whose address is the longest prefix of this page's.
        matching = [i.url for i in every_item()
                    if i.url != "/" and request.path.startswith(i.url)]
        return max(matching, key=len) if matching else ""

    return {
        "TRUST_NAME": settings.TRUST_NAME,
        "DEBUG": settings.DEBUG,
        "nav_items": SimpleLazyObject(lambda: layout()[0]),
        "nav_groups": SimpleLazyObject(lambda: [
            {"label": g.label, "items": g.items, "id": f"nav-{g.label.lower()}",
             "current": any(i.url == str(current()) for i in g.items)}
            for g in layout()[1]]),
        "current_nav_url": SimpleLazyObject(current),
        "can_view_outbox": signed_in and settings.DEBUG and can(user, "outbox.view"),
    }
