from django.urls import reverse

from accounts.permissions import can
from core.hooks import HomePanel, NavItem


def nav_items(request) -> list[NavItem]:
    user = request.user
    items = []
    if can(user, "acknowledgements.acknowledge"):
        items.append(NavItem("My policies", reverse("acknowledgements:mine"), order=20))
    if can(user, "compliance.trust"):
        items.append(NavItem("Compliance", reverse("acknowledgements:trust"), order=30))
    elif can(user, "compliance.academy") and user.academy_id and user.role == "principal":
        items.append(NavItem("Compliance", reverse("acknowledgements:academy",
                                                   args=[user.academy.code]), order=30))
    elif can(user, "compliance.team"):
        items.append(NavItem("My team's policies", reverse("acknowledgements:team"), order=30))
    return items


def home_panels(request) -> list[HomePanel]:
    from acknowledgements.selectors import waiting_and_recently_changed_for

    user = request.user
    if not can(user, "acknowledgements.acknowledge"):
        return []
    waiting, changed = waiting_and_recently_changed_for(user)
    return [HomePanel(
        title="Policies waiting for you",
        template="acknowledgements/_home_panel.html",
        context={"waiting": waiting, "changed": changed},
        order=10,
        urgent=bool(waiting),
    )]
