"""Reads shared by views, hooks, reminders and the audit pack."""

import datetime
from collections.abc import Iterator

from django.db.models import Exists, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import Role, User
from accounts.permissions import can, roles_of
from approvals.models import (
    OPEN_STATUSES,
    PERIOD_KINDS,
    ApprovalRequest,
    Attachment,
    Delegation,
    Kind,
    Status,
)
from approvals.routing import (
    Router,
    decider_candidates,
    is_decider_candidate,
    may_deputise_on,
)
from core.dates import format_date

TRUST_WIDE = frozenset({Role.HR, Role.CEO, Role.BOARD})


def _own_visibility(user) -> Q:
    roles = roles_of(user)
    if not roles:
        return Q(pk__in=[])
    q = Q(requester=user) | Q(events__actor=user) | Q(events__on_behalf_of=user)
    not_monitoring = ~Q(kind=Kind.MONITORING)
    q |= Q(kind=Kind.PERMISSION, subject_person=user)
    q |= not_monitoring & Q(kind__in=[Kind.PROFESSIONAL_USE, Kind.DEVICE],
                            requester__line_manager=user)
    if roles & TRUST_WIDE:
        q |= not_monitoring
    if user.role == Role.PRINCIPAL and user.academy_id:
        q |= not_monitoring & Q(academy_id=user.academy_id)
    if roles & {Role.HR, Role.CEO}:
        q |= Q(kind=Kind.MONITORING)
    return q


def visible_to(user) -> QuerySet[ApprovalRequest]:
    """Requests this person may open; the monitored member of staff never sees their own."""
    if not roles_of(user):
        return ApprovalRequest.objects.none()
    q = _own_visibility(user)
    today = timezone.localdate()
    for delegation in Delegation.objects.filter(
        deputy=user, ended_at__isnull=True, starts_on__lte=today, ends_on__gte=today
    ).select_related("delegator"):
        extra = _own_visibility(delegation.delegator)
        if not may_deputise_on(user, Kind.MONITORING):
            extra &= ~Q(kind=Kind.MONITORING)
        q |= extra
    ids = ApprovalRequest.objects.filter(q).values("pk")
    monitored = Q(kind=Kind.MONITORING, subject_person=user)
    return ApprovalRequest.objects.filter(pk__in=ids).exclude(monitored)


def get_request_for_user(user, pk: int) -> ApprovalRequest:
    try:
        return visible_to(user).select_related(
            "requester", "academy", "subject_person", "decided_by", "approved_revision"
        ).get(pk=pk)
    except ApprovalRequest.DoesNotExist:
        raise Http404("No such request.") from None


def monitorable_by(user) -> QuerySet[User]:
    """Whom a person may ask to monitor: a line manager their reports; a Principal the staff of
    their academy too."""
    if user is None or not user.is_authenticated:
        return User.objects.none()
    people = User.objects.current().filter(is_active=True).exclude(pk=user.pk)
    if user.role == Role.PRINCIPAL and user.academy_id:
        return people.filter(Q(academy_id=user.academy_id) | Q(line_manager=user))
    return people.filter(line_manager=user)


def it_contact_emails(req: ApprovalRequest) -> QuerySet:
    """The emails to the IT contact about this request (in the notifications outbox)."""
    from notifications.models import Delivery

    return Delivery.objects.filter(recipient__isnull=True, subject_type=req._meta.label_lower,
                                   subject_id=str(req.pk)).order_by("created_at", "pk")


def get_attachment_for_user(user, pk: int) -> Attachment:
    attachment = Attachment.objects.select_related("revision").filter(pk=pk).first()
    if attachment is None:
        raise Http404("No such file.")
    get_request_for_user(user, attachment.revision.request_id)
    return attachment


#: The "My requests" home panel lists a person's open requests, their approved posts, and
#: anything that changed in this many days.
RECENT_DAYS = 14


def _for_my_panel() -> Q:
    recent = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
    return (Q(status__in=OPEN_STATUSES) | Q(kind=Kind.POST, status=Status.APPROVED)
            | Q(updated_at__gte=recent))


def my_panel_requests(user) -> QuerySet[ApprovalRequest]:
    return my_requests(user).filter(_for_my_panel())


def _activity() -> dict:
    """Trust-wide, as plain data: the pending requests (what routing looks at first), today's
    deputies, and who has requests for the "My requests" panel. Small, shared by everyone."""
    today = timezone.localdate()
    return {
        "pending": list(ApprovalRequest.objects.pending().order_by().values_list(
            "requester_id", "kind", "subject_person_id", "requester__line_manager_id",
            "academy_id")),
        "deputies": set(Delegation.objects.filter(
            ended_at__isnull=True, starts_on__lte=today, ends_on__gte=today,
        ).order_by().values_list("deputy_id", flat=True)),
        "requesters": set(ApprovalRequest.objects.filter(_for_my_panel()).order_by()
                          .values_list("requester_id", flat=True)),
    }


def activity() -> dict:
    """`_activity()`, cached under the trust-wide generation (core.navcache.trust_snapshot)."""
    from core import navcache

    return navcache.trust_snapshot("approvals", _activity)


def _delegations_to_today(user) -> QuerySet[Delegation]:
    """Active delegations today that name `user` deputy."""
    today = timezone.localdate()
    return Delegation.objects.filter(
        deputy=user, ended_at__isnull=True, starts_on__lte=today, ends_on__gte=today
    )


def waiting_for(user, *, router: Router | None = None) -> list[tuple[ApprovalRequest, object]]:
    """The "waiting for me" queue: (request, the decider I act for) pairs, soonest due first."""
    # Same people as `roles_of(user)` being non-empty, without asking who they manage.
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.is_leaver:
        return []
    # Most people decide nothing now and stand in for no one: the trust-wide list of pending
    # requests says so without a query of their own.
    known = activity()
    if user.pk not in known["deputies"] and not any(
            requester != user.pk and is_decider_candidate(user, *rest)
            for requester, *rest in known["pending"]):
        return []
    router = router or Router()
    pending = ApprovalRequest.objects.pending().exclude(requester=user)
    candidates = decider_candidates(user)
    # One narrow question first: most people decide nothing now and stand in for no one, and
    # then that is the whole answer (no delegations, no wide request rows).
    if not pending.filter(candidates | Q(Exists(_delegations_to_today(user)))).exists():
        return []
    if not _delegations_to_today(user).exists():
        # Nobody's deputy: routing decides exactly among the candidates, without delegations.
        # (A deputy's queue looks at every pending request, and at the delegations.)
        pending = pending.filter(candidates)
        router.note_not_deputy(user)
    pending = list(pending
                   .select_related("requester", "requester__line_manager", "academy",
                                   "subject_person").order_by("due_at", "pk"))
    router.prime_principals({req.academy_id for req in pending})
    result = []
    for req in pending:
        acting = router.acting_for(user, req)
        if acting is not None:
            result.append((req, acting))
    return result


def waiting_for_request(request) -> list[tuple[ApprovalRequest, object]]:
    """`waiting_for(request.user)`, worked out once per HTTP request (nav, panel, page)."""
    cached = getattr(request, "_approvals_waiting", None)
    if cached is None:
        cached = waiting_for(request.user)
        request._approvals_waiting = cached
    return cached


def my_requests(user) -> QuerySet[ApprovalRequest]:
    return ApprovalRequest.objects.filter(requester=user).select_related("academy")


def scheduled_posts(user, *, academy_id: int | None = None, start: datetime.date,
                    end: datetime.date) -> QuerySet[ApprovalRequest]:
    """Approved, published and waiting posts planned between two dates (inclusive)."""
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min,
                                      tzinfo=tz)
    posts = visible_to(user).filter(
        kind=Kind.POST, publish_at__gte=since, publish_at__lt=until,
        status__in=[Status.APPROVED, Status.PUBLISHED, Status.PENDING],
    )
    if academy_id:
        posts = posts.filter(academy_id=academy_id)
    return posts.select_related("requester", "academy", "decided_by").order_by("publish_at")


def register_queryset(user, *, kinds, include_ended: bool = False) -> QuerySet[ApprovalRequest]:
    requests = visible_to(user).filter(kind__in=list(kinds))
    if include_ended:
        requests = requests.filter(status__in=[Status.APPROVED, Status.ENDED, Status.REVOKED,
                                               Status.PUBLISHED])
    else:
        requests = requests.in_force()
    return requests.select_related("requester", "academy", "subject_person",
                                   "decided_by").order_by("valid_until", "pk")


REGISTER_COLUMNS = ["Reference", "Type", "Clause", "Title", "Person", "Academy", "About",
                    "Decided by", "Decided on", "Conditions", "From", "Until", "Status"]


def register_rows(requests) -> Iterator[list[str]]:
    """Header then one row per request: what the CSV export and audit pack print."""
    yield REGISTER_COLUMNS
    for req in requests:
        yield [
            req.reference, req.get_kind_display(), req.clause, req.title,
            req.requester.full_name, req.academy.name,
            req.subject_person.full_name if req.subject_person else "",
            req.decided_by.full_name if req.decided_by else "",
            format_date(req.decided_at) if req.decided_at else "",
            req.conditions,
            format_date(req.valid_from) if req.valid_from else "",
            format_date(req.valid_until) if req.valid_until else "",
            req.status_label,
        ]


def in_force_summary(today: datetime.date | None = None) -> dict[str, int]:
    """Counts of approvals in force trust-wide (for the audit pack)."""
    today = today or timezone.localdate()
    in_force = ApprovalRequest.objects.in_force(today)
    waiting = ApprovalRequest.objects.pending()
    return {
        "approved_posts": in_force.filter(kind=Kind.POST).count(),
        "published_posts": in_force.filter(kind=Kind.POST, status=Status.PUBLISHED).count(),
        "media_responses": in_force.filter(kind=Kind.MEDIA).count(),
        "professional_use": in_force.filter(kind=Kind.PROFESSIONAL_USE).count(),
        "device_exceptions": in_force.filter(kind=Kind.DEVICE).count(),
        "exceptions": in_force.filter(kind__in=[Kind.PROFESSIONAL_USE, Kind.DEVICE]).count(),
        "permissions": in_force.filter(kind=Kind.PERMISSION).count(),
        "monitoring_active": in_force.filter(kind=Kind.MONITORING).count(),
        "waiting_for_decision": waiting.count(),
        "overdue": waiting.filter(due_at__lt=timezone.now()).count(),
    }


def can_see_monitoring_register(user) -> bool:
    return can(user, "approvals.monitoring_register")


EXCEPTION_KINDS = (Kind.PROFESSIONAL_USE, Kind.DEVICE, Kind.PERMISSION)
assert set(EXCEPTION_KINDS) | {Kind.MONITORING} == set(PERIOD_KINDS)
