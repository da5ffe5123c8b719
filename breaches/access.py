"""Who may see a case, and in which capacity. The one place these rules live.

A case is visible only to its handler, the Principal of the academy concerned (not when the
reporter chose the CEO because of a conflict of interest), the CEO, HR, people added to the case
and the appeal hearer. The person it concerns never sees the case itself, whatever their role:
they see the allegation and outcome on their own page once notified.
"""

import time

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import Role
from accounts.permissions import can, own_role
from breaches.models import Case, CaseMember

# Capacities a person can have in one case (used by the transition and action tables).
HANDLER, CEO, HR, PRINCIPAL, MEMBER, HEARER, CONCERNED, REPORTER = (
    "handler", "ceo", "hr", "principal", "member", "appeal_hearer", "concerned", "reporter"
)
#: Capacities that open the full case file.
CASE_TEAM = frozenset({HANDLER, CEO, HR, PRINCIPAL, MEMBER, HEARER})


def case_roles(case: Case, user) -> set[str]:
    """The capacities `user` has in `case` (empty for anyone with no business in it)."""
    role = own_role(user)
    if role is None:
        return set()
    if case.concerned_id == user.pk:
        # The person concerned is never on the case team, even as CEO, HR or handler.
        return {CONCERNED} if case.concerned_notified_at else set()
    found: set[str] = set()
    if case.reporter_id == user.pk:
        found.add(REPORTER)
    if case.handler_id == user.pk:
        found.add(HANDLER)
    if role == Role.CEO:
        found.add(CEO)
    if role == Role.HR:
        found.add(HR)
    if (role == Role.PRINCIPAL and user.academy_id == case.academy_id
            and not case.route_to_ceo):
        found.add(PRINCIPAL)
    if case.appeal_hearer_id == user.pk:
        found.add(HEARER)
    if CaseMember.objects.filter(case=case, person=user, removed_at__isnull=True).exists():
        found.add(MEMBER)
    return found


def can_open_case(case: Case, user) -> bool:
    return bool(case_roles(case, user) & CASE_TEAM)


def cases_visible_to(user) -> QuerySet[Case]:
    """Every case `user` may open as part of the case team (lists, search, counts, exports)."""
    role = own_role(user)
    if role is None:
        return Case.objects.none()
    if role in {Role.CEO, Role.HR}:
        visible = Q()
    else:
        visible = Q(handler=user) | Q(appeal_hearer=user) | Q(
            pk__in=CaseMember.objects.filter(person=user, removed_at__isnull=True)
            .values("case_id")
        )
        if role == Role.PRINCIPAL and user.academy_id:
            visible |= Q(academy_id=user.academy_id, route_to_ceo=False)
    return Case.objects.filter(visible).exclude(concerned=user)


def on_case_team(user) -> bool:
    """Whether the case list is theirs: a handler by role ("breaches.handle"), or on the team
    of at least one case."""
    return can(user, "breaches.handle") or cases_visible_to(user).exists()


def get_case_for_user(user, pk) -> Case:
    """The case if `user` is on its team; Http404 otherwise (nothing leaks by status code)."""
    try:
        case = cases_visible_to(user).select_related(
            "academy", "handler", "receiver", "reporter", "concerned", "decided_by",
            "appeal_hearer",
        ).get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404("No such report.") from None
    return case


def get_own_report_for_user(user, pk) -> Case:
    try:
        return Case.objects.select_related("academy").get(pk=pk, reporter=user,
                                                          anonymous=False)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404("No such report.") from None


def get_case_about_user(user, pk) -> Case:
    """A case the person concerned may read: only after they were notified."""
    try:
        return Case.objects.select_related("academy").get(
            pk=pk, concerned=user, concerned_notified_at__isnull=False
        )
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404("No such report.") from None


def recently_authenticated(request) -> bool:
    """True when the person signed in or re-authenticated within the re-authentication window
    (ACCOUNT_REAUTHENTICATION_TIMEOUT, 15 minutes)."""
    from allauth.account.internal.flows.login import get_authentication_records

    records = get_authentication_records(request, request.user)
    if not records:
        return False
    timeout = getattr(settings, "ACCOUNT_REAUTHENTICATION_TIMEOUT", 15 * 60)
    latest = max(float(record.get("at", 0)) for record in records)
    return time.time() - latest < timeout
