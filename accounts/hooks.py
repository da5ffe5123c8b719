from django.urls import reverse

from accounts.permissions import can
from core.hooks import NavItem

# People and academies: roles, line management, the academy in the Compliance link; and
# authenticators (whether a privileged person has enrolled one, core.middleware).
NAV_MODELS = ["accounts.User", "accounts.Academy", "mfa.Authenticator"]


def nav_items(request) -> list[NavItem]:
    items = []
    if can(request.user, "people.view"):
        items.append(NavItem("People", reverse("accounts:people_list"), order=80))
    return items
