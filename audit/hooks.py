from django.urls import reverse

from accounts.permissions import can
from core.hooks import NavItem


def nav_items(request) -> list[NavItem]:
    if can(request.user, "audit.view"):
        return [NavItem("Audit trail", reverse("audit:event_list"), order=90)]
    return []
