"""Who decides each request, and who may act for them while they are away: the one home of
that rule.

`Router.deciders_for(request)` says who decides a request at a step; `acting_for(user, request)`
whom a person decides for now (themselves, or an absent decider as their deputy) and
`revoking_for(user, request)` whom they revoke for; `asked(request)` whom a decision is asked of
(deciders and their deputies). The service's checks, the queue
(`selectors.waiting_for`), the request page and the notifications all ask these. The requester
never decides, nor does the person a monitoring request is about; a deputy on a monitoring request
must be HR or the CEO (`may_deputise_on`). `decider_candidates(user)` is a cheap superset of
`deciders_for` as a query, for the queue; `possible_deputies(user)` whom a decider may name.
"""

from django.db.models import Q
from django.utils import timezone

from accounts.models import Role, User
from approvals.conf import setting
from approvals.models import ApprovalRequest, Delegation, Kind, Status, TwoStepRule

HR_OR_CEO = frozenset({Role.HR, Role.CEO})


def monitoring_decider_role() -> str:
    """Clause 7.2 requests go to the CEO, or to HR when APPROVALS_MONITORING_DECIDER=hr."""
    value = setting("APPROVALS_MONITORING_DECIDER", "ceo").strip().lower()
    return Role.HR if value == Role.HR else Role.CEO


def it_contact() -> tuple[str, str]:
    name = setting("APPROVALS_IT_CONTACT_NAME", "Colwyn Technologies")
    email = setting("APPROVALS_IT_CONTACT_EMAIL", "support@colwyn-technologies.example")
    return name, email


def may_deputise_on(user, kind: str) -> bool:
    """The monitoring register is for HR and the CEO alone (clause 7.2, 7.3): nobody else stands
    in for a decider on monitoring, or sees it as a deputy."""
    return kind != Kind.MONITORING or user.role in HR_OR_CEO


def possible_deputies(user):
    """Whom a decider may name deputy: anyone current who signs in; a Principal's deputy is in
    their academy, or the CEO or HR."""
    qs = User.objects.current().filter(is_active=True, portal_access=True)
    if user is not None:
        qs = qs.exclude(pk=user.pk)
        if user.role == Role.PRINCIPAL and user.academy_id:
            qs = qs.filter(Q(academy_id=user.academy_id) | Q(role__in=[Role.CEO, Role.HR]))
    return qs


def decider_candidates(user) -> Q:
    """Requests `deciders_for` may put in front of `user` as a decider in their own right.

    A cheap superset (`deciders_for` then decides exactly): the subject of a permission request,
    the line manager of a professional-use or device request, the Principal for their academy,
    the CEO for posts, media and open permission requests, and whoever decides monitoring.
    """
    candidates = Q(kind=Kind.PERMISSION, subject_person=user) | Q(
        kind__in=[Kind.PROFESSIONAL_USE, Kind.DEVICE], requester__line_manager=user
    )
    if user.role == Role.PRINCIPAL and user.academy_id:
        candidates |= Q(academy_id=user.academy_id)
    if user.role == Role.CEO:
        candidates |= Q(kind__in=[Kind.POST, Kind.MEDIA]) | Q(
            kind=Kind.PERMISSION, subject_person__isnull=True
        )
    if user.role == monitoring_decider_role():
        candidates |= Q(kind=Kind.MONITORING)
    return candidates


def is_decider_candidate(user, kind: str, subject_person_id, requester_line_manager_id,
                         academy_id) -> bool:
    """`decider_candidates(user)` for one request, in Python: the same rules."""
    if kind == Kind.PERMISSION and subject_person_id == user.pk:
        return True
    if kind in (Kind.PROFESSIONAL_USE, Kind.DEVICE) and requester_line_manager_id == user.pk:
        return True
    if user.role == Role.PRINCIPAL and user.academy_id and academy_id == user.academy_id:
        return True
    if user.role == Role.CEO and (kind in (Kind.POST, Kind.MEDIA)
                                  or (kind == Kind.PERMISSION and subject_person_id is None)):
        return True
    return user.role == monitoring_decider_role() and kind == Kind.MONITORING


def _current(qs):
    today = timezone.localdate()
    return qs.filter(is_active=True).filter(
        Q(leaving_date__isnull=True) | Q(leaving_date__gt=today)
    )


class Router:
    """Caches the few lookups routing needs, so a queue of many requests costs few queries."""

    def __init__(self) -> None:
        self._principals: dict[int, User | None] = {}
        self._by_role: dict[str, list[User]] = {}
        self._delegations: list[Delegation] | None = None
        #: People known to be nobody's deputy today (their queue needs no delegations).
        self._not_deputies: set[int] = set()

    def principal_of(self, academy_id: int) -> User | None:
        if academy_id not in self._principals:
            self._principals[academy_id] = _current(
                User.objects.filter(role=Role.PRINCIPAL, academy_id=academy_id)
            ).first()
        return self._principals[academy_id]

    def prime_principals(self, academy_ids) -> None:
        """Look up the Principals of several academies in one query (as `principal_of` would:
        the first current one by name)."""
        wanted = {a for a in academy_ids if a not in self._principals}
        if len(wanted) < 2:
            return  # `principal_of` asks for one as cheaply
        found: dict[int, User] = {}
        for person in _current(User.objects.filter(role=Role.PRINCIPAL, academy_id__in=wanted)
                               ).order_by("full_name", "pk"):
            found.setdefault(person.academy_id, person)
        for academy_id in wanted:
            self._principals[academy_id] = found.get(academy_id)

    def with_role(self, role: str) -> list[User]:
        if role not in self._by_role:
            self._by_role[role] = list(_current(User.objects.filter(role=role)))
        return self._by_role[role]

    def active_delegations(self) -> list[Delegation]:
        if self._delegations is None:
            today = timezone.localdate()
            self._delegations = list(
                Delegation.objects.filter(
                    ended_at__isnull=True, starts_on__lte=today, ends_on__gte=today
                ).select_related("delegator", "deputy")
            )
        return self._delegations

    def note_not_deputy(self, user) -> None:
        """Record that no active delegation names `user` deputy (the caller just asked)."""
        self._not_deputies.add(user.pk)

    # ------------------------------------------------------------------ who decides

    def deciders_for(self, req: ApprovalRequest, *, step: int | None = None) -> list[User]:
        step = step or req.step
        principal = self.principal_of(req.academy_id)
        ceos = self.with_role(Role.CEO)
        people: list[User | None]
        if req.kind == Kind.POST and req.steps == 2:
            people = [principal] if step == 1 else list(ceos)
        elif req.kind in (Kind.POST, Kind.MEDIA):
            people = [principal, *ceos]
        elif req.kind in (Kind.PROFESSIONAL_USE, Kind.DEVICE):
            manager = req.requester.line_manager
            people = [manager if manager and not manager.is_leaver else None, principal]
        elif req.kind == Kind.MONITORING:
            people = list(self.with_role(monitoring_decider_role()))
        elif req.kind == Kind.PERMISSION:
            people = [req.subject_person] if req.subject_person_id else [principal, *ceos]
        else:  # pragma: no cover - every kind is listed above
            people = []
        seen: set[int] = set()
        result = []
        for person in people:
            if person is None or not person.is_active or person.pk in seen:
                continue
            if person.pk in (req.requester_id,) or (
                req.kind == Kind.MONITORING and person.pk == req.subject_person_id
            ):
                continue
            seen.add(person.pk)
            result.append(person)
        return result

    @staticmethod
    def _may_ever_act(user, req: ApprovalRequest) -> bool:
        """Never the requester, nor the person monitoring is about, nor someone gone."""
        if not getattr(user, "is_authenticated", False) or user.is_leaver or not user.is_active:
            return False
        if user.pk == req.requester_id:
            return False
        return not (req.kind == Kind.MONITORING and user.pk == req.subject_person_id)

    def _for(self, user, deciders: list[User], req: ApprovalRequest) -> User | None:
        """`user` among `deciders`, or the decider they are deputy for today."""
        for person in deciders:
            if person.pk == user.pk:
                return person
        if user.pk in self._not_deputies or not may_deputise_on(user, req.kind):
            return None
        decider_ids = {p.pk: p for p in deciders}
        for delegation in self.active_delegations():
            if delegation.deputy_id == user.pk and delegation.delegator_id in decider_ids:
                return decider_ids[delegation.delegator_id]
        return None

    def acting_for(self, user, req: ApprovalRequest) -> User | None:
        """Whom `user` decides for on `req` now (themselves or an absent decider), or None."""
        if req.status != Status.PENDING or not self._may_ever_act(user, req):
            return None
        if req.kind in (Kind.POST, Kind.MEDIA) and req.due_at <= timezone.now():
            return None  # too late: it expires (clause 8.1 asks for approval *before* posting)
        return self._for(user, self.deciders_for(req), req)

    def revoking_for(self, user, req: ApprovalRequest) -> User | None:
        """Whom `user` may revoke `req` for: the person who decided it or a decider at its last
        step (themselves), or such a decider's deputy (the absent decider); else None."""
        if not self._may_ever_act(user, req):
            return None
        if user.pk == req.decided_by_id:
            return user
        return self._for(user, self.deciders_for(req, step=req.steps), req)

    def asked(self, req: ApprovalRequest) -> list[User]:
        """Everyone a decision on `req` is asked of now: its deciders, then those of their
        deputies today who may stand in on it (not the requester; monitoring: HR or the CEO)."""
        deciders = self.deciders_for(req)
        people = {p.pk: p for p in deciders}
        for delegation in self.active_delegations():
            deputy = delegation.deputy
            if (delegation.delegator_id in people and deputy.pk not in people
                    and self._may_ever_act(deputy, req) and may_deputise_on(deputy, req.kind)):
                people[deputy.pk] = deputy
        return list(people.values())

    def steps_for(self, req: ApprovalRequest) -> int:
        """Two steps when a rule names the academy or the account, and both steps can happen."""
        if req.kind != Kind.POST:
            return 1
        principal = self.principal_of(req.academy_id)
        if principal is None or principal.pk == req.requester_id:
            return 1
        if not [c for c in self.with_role(Role.CEO) if c.pk != req.requester_id]:
            return 1
        account = (req.account or "").strip().lower()
        for rule in TwoStepRule.objects.all():
            if rule.academy_id not in (None, req.academy_id):
                continue
            if rule.account and rule.account.strip().lower() != account:
                continue
            return 2
        return 1


def deciders_for(req: ApprovalRequest) -> list[User]:
    return Router().deciders_for(req)


def acting_for(user, req: ApprovalRequest) -> User | None:
    return Router().acting_for(user, req)
