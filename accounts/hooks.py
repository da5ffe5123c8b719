from django.urls import reverse

from accounts.permissions import can
from core.hooks import NavItem


def nav_items(request) -> list[NavItem]:
    items = []
    if can(request.user, "people.view"):
        items.append(NavItem("People", reverse("accounts:people_list"), order=80))
    return items
