"""Navigation link and home-page panels for misuse reports.

The navigation is drawn on every page and the home page asks the same questions again, so the
answers are worked out once per HTTP request and kept on the request (`_breaches_*`).
"""

from django.db.models import Q
from django.urls import reverse

from accounts.permissions import can
from breaches import selectors
from breaches.models import FINAL_STATES, Case, CaseMember, State
from core import navcache
from core.hooks import HomePanel, NavItem

NAV_MODELS = ["breaches.Case", "breaches.CaseMember"]

#: At most this many of the handler's open cases are looked at for the home panel.
HANDLER_ROWS = 200


def _people_with_cases() -> dict:
    """Who any case concerns, trust-wide, as sets of person ids (plain data, one cache entry
    shared by everyone): ``team``, those `cases_visible_to` gives at least one case through
    their own part in it (handler, appeal hearer, member; not a case about themselves);
    ``reporters`` of open named reports; ``told``, people concerned by an open case who were
    notified. Most people are in none, and their pages then ask nothing about cases."""
    team, reporters, told = set(), set(), set()
    for handler, hearer, concerned, reporter, anonymous, state, notified in (
            Case.objects.order_by().values_list(
                "handler_id", "appeal_hearer_id", "concerned_id", "reporter_id", "anonymous",
                "state", "concerned_notified_at")):
        team.update(pk for pk in (handler, hearer) if pk is not None and pk != concerned)
        if state in FINAL_STATES:
            continue
        if reporter is not None and not anonymous:
            reporters.add(reporter)
        if concerned is not None and notified is not None:
            told.add(concerned)
    team.update(pk for pk, concerned in CaseMember.objects.filter(removed_at__isnull=True)
                .order_by().values_list("person_id", "case__concerned_id") if pk != concerned)
    return {"team": team, "reporters": reporters, "told": told}


def _snapshot() -> dict:
    return navcache.trust_snapshot("breaches", _people_with_cases)


def _on_case_team(request) -> bool:
    """A handler by role, or on the team of at least one case (so the case list is theirs)."""
    cached = getattr(request, "_breaches_on_team", None)
    if cached is None:
        user = request.user
        if can(user, "breaches.handle"):
            cached = True
        else:
            cached = (user.pk in _snapshot()["team"]
                      and selectors.cases_visible_to(user).exists())
        request._breaches_on_team = cached
    return cached


def _handler_rows(request) -> list[Case]:
    """Open cases this person handles or hears the appeal of (soonest due first), at most
    HANDLER_ROWS, with `due` and `overdue` worked out. Only for people on a case team."""
    cached = getattr(request, "_breaches_handler_rows", None)
    if cached is None:
        user = request.user
        mine = (selectors.handler_case_list(user, state="open")
                .filter(Q(handler=user) | Q(appeal_hearer=user, state=State.APPEAL))
                # The panel shows the reference, state, due date and safeguarding flag only.
                .select_related(None)
                .only("reference", "state", "safeguarding", "handler", "appeal_hearer",
                      "triage_due", "step_due"))
        cached = selectors.mark_overdue(list(mine[:HANDLER_ROWS]))
        request._breaches_handler_rows = cached
    return cached


def _reported_to_me(request) -> int:
    """Visible cases still "reported" whose handler is this person (the navigation badge)."""
    user = request.user
    rows = getattr(request, "_breaches_handler_rows", None)
    if rows is not None and len(rows) < HANDLER_ROWS:
        # Every open case they handle is in the list the home panel already fetched.
        return sum(1 for c in rows if c.state == State.REPORTED and c.handler_id == user.pk)
    return selectors.cases_visible_to(user).filter(state=State.REPORTED, handler=user).count()


def nav_items(request) -> list[NavItem]:
    user = request.user
    items = []
    if can(user, "breaches.report"):
        items.append(NavItem("Report misuse", reverse("breaches:home"), order=40))
    if _on_case_team(request):
        waiting = _reported_to_me(request)
        items.append(NavItem("Cases", reverse("breaches:case_list"), order=41,
                             badge=waiting or None))
    elif can(user, "breaches.statistics"):
        items.append(NavItem("Case statistics", reverse("breaches:statistics"), order=41))
    return items


def home_panels(request) -> list[HomePanel]:
    user = request.user
    panels = []
    if _on_case_team(request):
        rows = [c for c in _handler_rows(request)
                if (c.handler_id == user.pk and (c.state == State.REPORTED or c.overdue))
                or (c.state == State.APPEAL and c.appeal_hearer_id == user.pk)]
        if rows:
            panels.append(HomePanel(
                title="Reports of social media misuse waiting for you",
                template="breaches/_panel_handler.html",
                context={"rows": rows[:10], "more": max(len(rows) - 10, 0)},
                order=20, urgent=True,
            ))
    snapshot = _snapshot()
    if user.pk not in snapshot["reporters"] and user.pk not in snapshot["told"]:
        return panels
    # Their own named reports and, once they were told, reports about them: one query, split
    # here. Newest first (the model's ordering) as before; the panels show reference and state.
    own_or_about = list(
        Case.objects.filter(Q(reporter=user, anonymous=False)
                            | Q(concerned=user, concerned_notified_at__isnull=False))
        .open()
        .only("reference", "state", "reporter", "anonymous", "concerned",
              "concerned_notified_at", "created_at")
    )
    mine = [c for c in own_or_about if c.reporter_id == user.pk and not c.anonymous][:5]
    if mine:
        panels.append(HomePanel(title="Your reports", template="breaches/_panel_reporter.html",
                                context={"rows": mine}, order=60))
    about = [c for c in own_or_about
             if c.concerned_id == user.pk and c.concerned_notified_at is not None]
    if about:
        panels.append(HomePanel(title="A report about you needs your attention",
                                template="breaches/_panel_about_me.html",
                                context={"rows": about}, order=15, urgent=True))
    return panels
