from django.urls import reverse

from accounts.permissions import can
from approvals.models import Status
from approvals.selectors import activity, my_panel_requests, waiting_for_request
from core.hooks import HomePanel, NavItem

NAV_MODELS = ["approvals.ApprovalRequest", "approvals.Delegation", "approvals.TwoStepRule"]

PANEL_LIMIT = 5


def nav_items(request) -> list[NavItem]:
    if not can(request.user, "approvals.request"):
        return []
    count = len(waiting_for_request(request))
    return [NavItem("Approvals", reverse("approvals:index"), order=40, badge=count or None,
                    badge_label="waiting for your decision")]


def home_panels(request) -> list[HomePanel]:
    user = request.user
    if not can(user, "approvals.request"):
        return []
    panels = []
    waiting = waiting_for_request(request)
    if waiting:
        panels.append(HomePanel(
            "Waiting for my decision", "approvals/_panel_waiting.html",
            {"waiting": waiting[:PANEL_LIMIT], "more": len(waiting) > PANEL_LIMIT,
             "count": len(waiting)},
            order=20, urgent=True,
        ))
    if user.pk not in activity()["requesters"]:
        return panels
    mine = list(my_panel_requests(user).order_by("-updated_at")
        # The panel shows the title and status (with conditions, step and overdue flag).
        .select_related(None)
        .only("title", "status", "conditions", "steps", "step", "due_at")[:PANEL_LIMIT])
    if mine:
        panels.append(HomePanel("My requests", "approvals/_panel_mine.html", {"mine": mine},
                                order=45,
                                urgent=any(r.status == Status.CHANGES_REQUESTED for r in mine)))
    return panels
