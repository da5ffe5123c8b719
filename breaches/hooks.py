from django.db.models import Q
from django.urls import reverse

from accounts.permissions import can
from breaches import selectors
from breaches.models import Case, State
from core.hooks import HomePanel, NavItem


def nav_items(request) -> list[NavItem]:
    user = request.user
    items = []
    if can(user, "breaches.report"):
        items.append(NavItem("Report misuse", reverse("breaches:home"), order=40))
    if can(user, "breaches.handle") or selectors.cases_visible_to(user).exists():
        waiting = selectors.cases_visible_to(user).filter(
            state=State.REPORTED, handler=user).count()
        items.append(NavItem("Cases", reverse("breaches:case_list"), order=41,
                             badge=waiting or None))
    elif can(user, "breaches.statistics"):
        items.append(NavItem("Case statistics", reverse("breaches:statistics"), order=41))
    return items


def home_panels(request) -> list[HomePanel]:
    user = request.user
    panels = []
    visible = selectors.cases_visible_to(user)
    if can(user, "breaches.handle") or visible.exists():
        mine = selectors.handler_case_list(user, state="open").filter(
            Q(handler=user) | Q(appeal_hearer=user, state=State.APPEAL))
        rows = [c for c in selectors.mark_overdue(list(mine[:200]))
                if (c.handler_id == user.pk and (c.state == State.REPORTED or c.overdue))
                or (c.state == State.APPEAL and c.appeal_hearer_id == user.pk)]
        if rows:
            panels.append(HomePanel(
                title="Reports of social media misuse waiting for you",
                template="breaches/_panel_handler.html",
                context={"rows": rows[:10], "more": max(len(rows) - 10, 0)},
                order=20, urgent=True,
            ))
    mine = list(Case.objects.filter(reporter=user, anonymous=False).open()
                .order_by("-created_at")[:5])
    if mine:
        panels.append(HomePanel(title="Your reports", template="breaches/_panel_reporter.html",
                                context={"rows": mine}, order=60))
    about = list(Case.objects.filter(concerned=user, concerned_notified_at__isnull=False)
                 .open())
    if about:
        panels.append(HomePanel(title="A report about you needs your attention",
                                template="breaches/_panel_about_me.html",
                                context={"rows": about}, order=15, urgent=True))
    return panels
