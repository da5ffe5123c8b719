"""Reads shared by the dashboards, the audit pack and other apps.

Every function here runs a fixed number of queries whatever the number of people.
"""

from collections.abc import Iterable

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from accounts.models import Category, User
from accounts.permissions import (
    academy_scope,
    compliance_may_see_person,
    may_record_acknowledgement_for,
)
from acknowledgements.models import GENESIS_HASH, Acknowledgement, Assignment, ChainHead
from policies.models import PolicyVersion

STATUS_LABELS = {"done": "Acknowledged", "outstanding": "Outstanding", "overdue": "Overdue"}


def chain_head_hash() -> str:
    """SHA-256 of the chain head: the hash of the last record (or the genesis hash)."""
    head = ChainHead.objects.filter(pk=1).values_list("record_hash", flat=True).first()
    if head:
        return head
    last = Acknowledgement.objects.order_by("-sequence").values_list("record_hash",
                                                                     flat=True).first()
    return last or GENESIS_HASH


def with_status(queryset: QuerySet[Assignment], today=None) -> QuerySet[Assignment]:
    today = today or timezone.localdate()
    return queryset.annotate(
        ack_status=Case(
            When(acknowledgement__isnull=False, then=Value("done")),
            When(due_on__lt=today, then=Value("overdue")),
            default=Value("outstanding"),
            output_field=CharField(),
        )
    )


def assignments_for(version: PolicyVersion, *, academy=None, category: str = "",
                    manager=None) -> QuerySet[Assignment]:
    """Assignments counted in the figures: current people only (leavers drop out)."""
    queryset = Assignment.objects.filter(version=version).current_people()
    if academy is not None:
        queryset = queryset.filter(person__academy=academy)
    if category:
        queryset = queryset.filter(person__category=category)
    if manager is not None:
        queryset = queryset.filter(person__line_manager=manager)
    return queryset


def _summary_aggregate(today) -> dict:
    return {
        "total": Count("id"),
        "done": Count("id", filter=Q(acknowledgement__isnull=False)),
        "overdue": Count("id", filter=Q(acknowledgement__isnull=True, due_on__lt=today)),
    }


def _finish(row: dict) -> dict:
    row["outstanding"] = row["total"] - row["done"] - row["overdue"]
    row["not_done"] = row["total"] - row["done"]
    row["percent"] = round(100 * row["done"] / row["total"], 1) if row["total"] else 100.0
    return row


def summarise(queryset: QuerySet[Assignment], today=None) -> dict:
    today = today or timezone.localdate()
    return _finish(queryset.aggregate(**_summary_aggregate(today)))


def summary_of(rows: list[dict]) -> dict:
    """The figures of a whole breakdown (`breakdown` rows cover every assignment once)."""
    return _finish({key: sum(row[key] for row in rows) for key in ("total", "done", "overdue")})


def compliance_summary(version: PolicyVersion, academy=None) -> dict:
    """{"total", "done", "outstanding", "overdue", "not_done", "percent"} for current people."""
    return summarise(assignments_for(version, academy=academy))


def breakdown(queryset: QuerySet[Assignment], by: str, today=None) -> list[dict]:
    """Figures grouped by "academy" or "category", one query."""
    today = today or timezone.localdate()
    if by == "academy":
        rows = queryset.values(key=F("person__academy__code"), label=F("person__academy__name"))
    else:
        rows = queryset.values(key=F("person__category"))
    rows = rows.annotate(**_summary_aggregate(today)).order_by("key")
    categories = dict(Category.choices)
    out = []
    for row in rows:
        if by != "academy":
            row["label"] = categories.get(row["key"], row["key"])
        out.append(_finish(dict(row)))
    return out


ROSTER_FIELDS = (
    "id", "ack_status", "person_id", "person__full_name", "person__email",
    "person__academy__name", "person__academy__code", "person__category", "person__job_title",
    "person__line_manager__full_name", "person__line_manager_id", "assigned_on", "due_on",
    "acknowledged_at", "acknowledgement__method", "acknowledgement__version__label",
)

SORTS = {
    "name": ["person__full_name"],
    "academy": ["person__academy__name", "person__full_name"],
    "category": ["person__category", "person__full_name"],
    "due": ["due_on", "person__full_name"],
    "status": ["ack_status", "due_on", "person__full_name"],
    "acknowledged": ["acknowledged_at", "person__full_name"],
}


def roster_rows(queryset: QuerySet[Assignment], *, sort: str = "name", descending: bool = False,
                today=None) -> QuerySet:
    order = SORTS.get(sort, SORTS["name"])
    if descending:
        order = [f"-{order[0]}", *order[1:]]
    return with_status(queryset, today).values(*ROSTER_FIELDS).order_by(*order, "id")


def roster_ids(queryset: QuerySet[Assignment], *, sort: str = "name",
               descending: bool = False, today=None) -> QuerySet:
    """Assignment ids in display order: cheap to sort and slice for one page."""
    order = SORTS.get(sort, SORTS["name"])
    if descending:
        order = [f"-{order[0]}", *order[1:]]
    return with_status(queryset, today).order_by(*order, "id").values_list("id", flat=True)


def roster_page(ids: list[int], today=None) -> list[dict]:
    """Full rows for these assignment ids, in the same order (one query)."""
    values = with_status(Assignment.objects.filter(pk__in=ids), today).values(*ROSTER_FIELDS)
    by_id = {row["id"]: row for row in values}
    return rows_from(by_id[pk] for pk in ids if pk in by_id)


def _row(row: dict, categories: dict, methods: dict) -> dict:
    method = row["acknowledgement__method"] or ""
    return {
        "assignment_id": row["id"],
        "person_id": row["person_id"],
        "name": row["person__full_name"],
        "email": row["person__email"],
        "academy": row["person__academy__name"] or "",
        "academy_code": row["person__academy__code"] or "",
        "category": categories.get(row["person__category"], row["person__category"]),
        "job_title": row["person__job_title"],
        "line_manager": row["person__line_manager__full_name"] or "",
        "line_manager_id": row["person__line_manager_id"],
        "assigned_on": row["assigned_on"],
        "due_on": row["due_on"],
        "acknowledged_at": row["acknowledged_at"],
        "method": methods.get(method, ""),
        "method_code": method,
        "record_version": row["acknowledgement__version__label"] or "",
        "status": row["ack_status"],
        "status_label": STATUS_LABELS[row["ack_status"]],
    }


def rows_from(values: Iterable[dict]) -> list[dict]:
    from acknowledgements.models import Method

    categories, methods = dict(Category.choices), dict(Method.choices)
    return [_row(row, categories, methods) for row in values]


def roster_for_version(version: PolicyVersion, academy=None) -> list[dict]:
    """One row per current person asked to acknowledge this version, sorted by academy and name.

    Keys: name, email, academy, category, job_title, line_manager, assigned_on, due_on,
    acknowledged_at (aware datetime or None), method (readable), method_code, status
    ("done" / "outstanding" / "overdue"), status_label, record_version (the version actually
    acknowledged: differs after a minor change). One query; fine for 10,000 people.
    """
    return rows_from(roster_rows(assignments_for(version, academy=academy), sort="academy"))


def person_history(person: User) -> list[dict]:
    """Every version this person was asked to acknowledge, newest first, with the record."""
    assignments = (Assignment.objects.filter(person=person)
                   .select_related("version", "version__policy", "acknowledgement",
                                   "acknowledgement__recorded_by", "acknowledgement__version")
                   .prefetch_related("nudges")
                   .order_by("-version__created_at", "-id"))
    today = timezone.localdate()
    return [{"assignment": a, "status": a.status(today),
             "status_label": STATUS_LABELS[a.status(today)]} for a in assignments]


#: Columns of the version row that lists of assignments never show (the imported document).
_VERSION_UNUSED = ("version__source_text", "version__cover")
#: What a short list of someone's own assignments shows ("My policies", the home panel).
LIST_COLUMNS = (
    "id", "person_id", "version_id", "assigned_on", "due_on", "source", "acknowledgement_id",
    "acknowledged_at", "created_at", "version__label", "version__status", "version__policy_id",
    "version__policy__title", "version__policy__slug",
)


def _recently_changed_q(days: int) -> Q:
    since = timezone.localdate() - timezone.timedelta(days=days)
    return Q(source=Assignment.Source.CARRIED, created_at__date__gte=since,
             acknowledgement__isnull=False)


def waiting_for(person) -> list[Assignment]:
    """What this person still has to acknowledge, soonest first."""
    return list(Assignment.objects.live().outstanding().filter(person_id=person.pk)
                .select_related("version", "version__policy").defer(*_VERSION_UNUSED)
                .order_by("due_on", "id"))


def recently_changed_for(person, days: int = 30) -> list[Assignment]:
    """Minor changes carried over recently: the person is told what changed."""
    return list(Assignment.objects.live().filter(_recently_changed_q(days), person_id=person.pk)
                .select_related("version", "version__policy").defer(*_VERSION_UNUSED)
                .order_by("due_on", "id"))


#: A person's own assignment rows, without their version (`_versions_in_force` has those).
OWN_COLUMNS = ("id", "person_id", "version_id", "assigned_on", "due_on", "source",
               "acknowledgement_id", "acknowledged_at", "created_at")


def _versions_in_force() -> dict[int, PolicyVersion]:
    """The published versions with their policy's title and slug: a few plain rows shared by
    everyone (core.navcache.trust_snapshot; any policy or version change starts them afresh)."""
    from core import navcache
    from policies.models import Policy

    rows = navcache.trust_snapshot("versions_in_force", lambda: list(
        PolicyVersion.objects.filter(status=PolicyVersion.Status.PUBLISHED).order_by()
        .values_list("id", "label", "policy_id", "policy__title", "policy__slug")))
    return {pk: PolicyVersion(id=pk, label=label, status=PolicyVersion.Status.PUBLISHED,
                              policy=Policy(id=policy_id, title=title, slug=slug))
            for pk, label, policy_id, title, slug in rows}


def waiting_and_recently_changed_for(person, days: int = 30
                                     ) -> tuple[list[Assignment], list[Assignment]]:
    """`waiting_for` and `recently_changed_for` together (the home panel): one narrow query on
    the person's own rows; the versions in force come from the shared snapshot."""
    in_force = _versions_in_force()
    since = timezone.localdate() - timezone.timedelta(days=days)
    waiting, changed = [], []
    for row in (Assignment.objects.filter(person_id=person.pk).order_by("due_on", "id")
                .values_list(*OWN_COLUMNS)):
        assignment = Assignment(**dict(zip(OWN_COLUMNS, row, strict=True)))
        version = in_force.get(assignment.version_id)
        if version is None:  # not in force (Assignment.objects.live())
            continue
        assignment.version = version
        if assignment.acknowledgement_id is None:
            waiting.append(assignment)
        elif (assignment.source == Assignment.Source.CARRIED
              and timezone.localdate(assignment.created_at) >= since):  # _recently_changed_q
            changed.append(assignment)
    return waiting, changed


# --------------------------------------------------------------------------- who may see whom


def get_person_for_user(user, pk: int) -> User:
    """The person, if this user may see their acknowledgements (404 otherwise)."""
    person = User.objects.select_related("academy", "line_manager").filter(pk=pk).first()
    if person is None or not compliance_may_see_person(user, person):
        raise Http404("No such person.")
    return person


def get_assignment_for_manager(user, pk: int,
                               permission_check=may_record_acknowledgement_for) -> Assignment:
    """The assignment, if ``permission_check(user, its person)`` (404 otherwise)."""
    assignment = (Assignment.objects.select_related("person", "person__academy", "version",
                                                    "version__policy").filter(pk=pk).first())
    if assignment is None or not permission_check(user, assignment.person):
        raise Http404("No such request.")
    return assignment


def academies_visible(user):
    from accounts.models import Academy

    scope = academy_scope(user)
    academies = Academy.objects.order_by("is_central", "name")
    return academies if scope is None else academies.filter(pk__in=scope)


# --------------------------------------------------------------------------- reading pages


def own_assignment(pk: int, person_id: int, *, only: tuple[str, ...] | None = None,
                   unused: tuple[str, ...] = ()) -> Assignment | None:
    """The person's assignment `pk` with its version and policy. ``only``: the columns wanted
    ("version__label", …); else every column but ``unused``."""
    assignments = (Assignment.objects.select_related("version", "version__policy")
                   .filter(pk=pk, person_id=person_id))
    assignments = assignments.only(*only) if only else assignments.defer(*unused)
    return assignments.first()
