"""Navigation links and home-page panels for the policy library."""

from django.urls import reverse
from django.utils import timezone

from accounts.permissions import can, principal_of
from core.hooks import HomePanel, NavItem
from policies import selectors
from policies.models import AcademyAddendum, Policy, PolicyVersion

# Versions and addenda: the home page lists those in progress and what changed for each person.
NAV_MODELS = ["policies.Policy", "policies.PolicyVersion", "policies.AcademyAddendum"]

S = PolicyVersion.Status
#: What the panel shows of an addendum's version (see `_version_item`).
ADDENDUM_FIELDS = ("version__label", "version__policy__title", "version__policy__slug")


def _review_board(request) -> dict:
    """`selectors.review_board()`, worked out once per HTTP request (navigation and panel)."""
    cached = getattr(request, "_policies_review_board", None)
    if cached is None:
        cached = request._policies_review_board = selectors.review_board()
    return cached


def _overdue_reviews(request) -> int:
    """How many policies are past their review date (the navigation badge).

    The home page already has the review board; other pages only count, as the board would
    (a review is overdue when its date is before today).
    """
    board = getattr(request, "_policies_review_board", None)
    if board is not None:
        return len(board["overdue"])
    return Policy.objects.filter(next_review_due__lt=timezone.localdate()).count()


def nav_items(request) -> list[NavItem]:
    items = []
    if can(request.user, "policies.read"):
        items.append(NavItem("Policies", reverse("policies:policy_list"), order=20))
    if can(request.user, "policies.review_board"):
        overdue = _overdue_reviews(request)
        items.append(NavItem("Policy reviews", reverse("policies:review_board"), order=60,
                             badge=overdue or None))
    return items


def _version_item(version: PolicyVersion, note: str) -> dict:
    return {
        "title": f"{version.policy.title} {version.label}",
        "url": reverse("policies:version_record", args=[version.policy.slug, version.label]),
        "note": note,
    }


def home_panels(request) -> list[HomePanel]:
    user = request.user
    panels = []
    waiting = []
    # Which in-progress versions this person can do something with; nobody else asks at all.
    notes = {}
    if can(user, "policies.approve"):
        notes[S.AWAITING_APPROVAL] = "Awaiting your approval as CEO"
    if can(user, "policies.ratify"):
        notes[S.APPROVED] = "Approved: record the LGB Cluster ratification"
    if can(user, "policies.manage"):
        notes[S.RATIFIED] = "Ratified: ready to publish"
        notes[S.DRAFT] = notes[S.CONSULTATION] = None  # the status itself
    if notes:
        versions = (PolicyVersion.objects
                    .filter(status__in=sorted(notes))
                    .select_related("policy")
                    .only("label", "status", "policy__title", "policy__slug"))
        for version in versions:
            waiting.append(_version_item(version, notes[version.status]
                                         or version.get_status_display()))
    if can(user, "policies.approve"):
        for addendum in AcademyAddendum.objects.filter(
            status=AcademyAddendum.Status.SUBMITTED
        ).select_related("version__policy", "academy").only(*ADDENDUM_FIELDS, "academy__name"):
            item = _version_item(addendum.version, f"{addendum.academy} addendum awaits your "
                                 "approval")
            waiting.append(item)
    if principal_of(user):
        for addendum in AcademyAddendum.objects.filter(
            academy_id=principal_of(user), status=AcademyAddendum.Status.DRAFT,
            version__status__in=PolicyVersion.IN_PROGRESS,
        ).select_related("version__policy").only(*ADDENDUM_FIELDS):
            waiting.append(_version_item(
                addendum.version, "Your academy's addendum is a draft: send it to the CEO"
            ))
    if waiting:
        urgent = any("your approval" in item["note"] for item in waiting)
        panels.append(HomePanel("Policies in progress", "policies/_home_items.html",
                                {"items": waiting}, order=20, urgent=urgent))
    if can(user, "policies.review_board"):
        board = _review_board(request)
        due = [
            {"title": p.title, "url": reverse("policies:policy_detail", args=[p.slug]),
             "note": f"Review overdue since {p.next_review_due:%-d %B %Y}"}
            for p in board["overdue"]
        ] + [
            {"title": p.title, "url": reverse("policies:policy_detail", args=[p.slug]),
             "note": f"Review due by {p.next_review_due:%-d %B %Y}"}
            for p in board["due_30"] + board["due_90"]
        ]
        if due:
            panels.append(HomePanel("Policy reviews due", "policies/_home_items.html",
                                    {"items": due, "more_url": reverse("policies:review_board"),
                                     "more": "Open the review board"},
                                    order=25, urgent=bool(board["overdue"])))
    return panels
