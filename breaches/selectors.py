"""Reads shared by views, the audit-pack app and the reminders.

Public API for other apps (documented in docs/breaches.md):
- `get_case_for_user(user, pk)` -> Case or Http404;
- `cases_visible_to(user)` -> QuerySet of cases the user may see;
- `case_pack_context(case, user)` -> dict with everything a case pack prints;
- `case_register_rows(user)` -> header + rows for a CSV register of visible cases;
- `anonymised_statistics(date_from=None, date_to=None)` -> counts, never names.
"""

import datetime
from collections import Counter
from typing import Any

from django.conf import settings
from django.db.models import Case as DbCase
from django.db.models import DateField, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.models import Role
from breaches.access import (  # noqa: F401  (re-exported API)
    can_open_case,
    case_roles,
    cases_visible_to,
    get_case_for_user,
)
from breaches.models import FINAL_STATES, Case, CaseItem, Evidence, State
from core.dates import format_date

# --------------------------------------------------------------------------- policy clauses

def current_policy_version():
    """The published version of the Social Media Policy whose clauses a report may cite.

    BREACHES_POLICY_SLUG picks the policy; otherwise the published policy whose title mentions
    social media, otherwise any published policy.
    """
    from policies.models import PolicyVersion

    published = PolicyVersion.objects.filter(status=PolicyVersion.Status.PUBLISHED)
    slug = getattr(settings, "BREACHES_POLICY_SLUG", "")
    if slug:
        return published.filter(policy__slug=slug).select_related("policy").first()
    return (published.filter(policy__title__icontains="social media").select_related("policy")
            .first() or published.select_related("policy").order_by("policy__title").first())


def citable_clauses(version=None) -> QuerySet:
    """Clauses that carry text; section and appendix headings (level 0) are not citable."""
    from policies.models import Clause

    version = version or current_policy_version()
    if version is None:
        return Clause.objects.none()
    return version.clauses.exclude(text="").exclude(level=0).order_by("order")


def clause_url(clause) -> str:
    version = clause.version
    return f"/policies/{version.policy.slug}/{version.label}/#{clause.anchor}"


def safeguarding_clause_url() -> str:
    """Where clause 10.3 (safeguarding children and young people) of the current policy is."""
    version = current_policy_version()
    if version is None:
        return ""
    clause = version.clauses.filter(number="10.3").select_related("version__policy").first()
    return clause_url(clause) if clause else ""


# --------------------------------------------------------------------------- due dates

def case_due(case: Case) -> datetime.date | None:
    """The date the current step is due (triage while reported, then the step's date)."""
    if case.state in (State.REPORTED, State.TRIAGE):
        return case.triage_due
    return case.step_due


def is_overdue(case: Case, today: datetime.date | None = None) -> bool:
    due = case_due(case)
    return due is not None and due < (today or timezone.localdate())


def open_tasks(case: Case) -> list[CaseItem]:
    return list(case.items.filter(kind__in=CaseItem.REQUEST_KINDS, complied__isnull=True,
                                  withdrawn_at__isnull=True)
                .select_related("addressed_to").order_by("deadline"))


def with_due(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Annotate `due` (the current step's date) and `final` so the database can sort."""
    return cases.annotate(
        due=DbCase(When(state__in=[State.REPORTED, State.TRIAGE], then=F("triage_due")),
                   default=F("step_due"), output_field=DateField()),
        final=DbCase(When(state__in=list(FINAL_STATES), then=Value(1)), default=Value(0),
                     output_field=IntegerField()),
    )


def mark_overdue(rows, today: datetime.date | None = None):
    today = today or timezone.localdate()
    for case in rows:
        case.overdue = bool(case.due and case.due < today and not case.final)
    return rows


def handler_case_list(user, *, state: str = "", academy: str = "", overdue: bool = False,
                      q: str = "", safeguarding: bool = False) -> QuerySet[Case]:
    """Cases the user may see, soonest due first (closed ones last), filtered."""
    today = timezone.localdate()
    cases = with_due(cases_visible_to(user)).select_related("academy", "handler")
    if state == "open":
        cases = cases.open()
    elif state in State.values:
        cases = cases.filter(state=state)
    if academy:
        cases = cases.filter(academy__code=academy)
    if q:
        cases = cases.filter(Q(reference__icontains=q) | Q(description__icontains=q))
    if overdue:
        cases = cases.filter(due__lt=today, final=0)
    if safeguarding:
        cases = cases.safeguarding()
    return cases.order_by("final", F("due").asc(nulls_last=True), "pk")


# --------------------------------------------------------------------------- for audit packs

def case_pack_context(case: Case, user) -> dict[str, Any]:
    """Everything a printed case pack needs. Raises Http404 if `user` may not see the case."""
    case = get_case_for_user(user, case.pk)
    evidence = [
        {
            "id": e.pk, "name": e.original_name, "kind": e.kind_label,
            "content_type": e.content_type, "size": e.size, "sha256": e.sha256,
            "path": str(e.path), "description": e.description, "captured_at": e.captured_at,
            "site": e.site, "uploaded_at": e.uploaded_at, "deleted": e.deleted_at is not None,
        }
        for e in case.evidence.all()
    ]
    items = list(case.items.select_related("addressed_to", "created_by"))
    in_force = case.in_force
    return {
        "case": case,
        "reference": case.reference,
        "state": case.get_state_display(),
        "academy": case.academy.name,
        "allegation": {
            "concerned": case.concerned_label,
            "reporter": case.reporter_label,
            "identity_withheld": case.withhold_identity,
            "received_via": case.get_received_via_display(),
            "platform": case.platform_label,
            "links": case.link_list,
            "seen_at": case.seen_at,
            "description": case.description,
            "safeguarding": case.safeguarding,
            "safeguarding_confirmed": case.safeguarding_confirmed,
            "safeguarding_label": case.safeguarding_label,
            "is_safeguarding": case.is_safeguarding,
            "cpoms_reference": case.cpoms_reference,
            "cyberbullying": case.cyberbullying,
            "reporter_wishes": case.reporter_wishes,
            "reported_at": case.created_at,
        },
        "cited_clauses": [
            {"number": c.number, "text": c.text, "url": clause_url(c)}
            for c in case.cited_clauses.select_related("version__policy").order_by("order")
        ],
        "timeline": list(case.events.all()),
        "evidence": evidence,
        "meetings": [i for i in items if i.kind == CaseItem.Kind.MEETING],
        "notes": [i for i in items if i.kind == CaseItem.Kind.NOTE],
        "requests": [i for i in items if i.is_request],
        "severity": case.get_severity_display(),
        "open_tasks": [i for i in items if i.is_open],
        "outcome": {
            "outcome": case.get_outcome_display() if case.outcome else "",
            "reasons": case.outcome_reasons,
            "clauses_breached": [
                {"number": c.number, "text": c.text, "url": clause_url(c)}
                for c in case.clauses_breached.select_related("version__policy")
                .order_by("order")
            ],
            "decided_by": case.decided_by.full_name if case.decided_by_id else "",
            "decided_at": case.decided_at,
            # Only while an appeal may still be lodged.
            "appeal_deadline": case.appeal_deadline if case.shows_appeal_deadline else None,
            "in_force": bool(in_force) and not in_force["on_appeal"],
        },
        "appeal": {
            "lodged_at": case.appeal_lodged_at,
            "grounds": case.appeal_grounds,
            "hearer": case.appeal_hearer.full_name if case.appeal_hearer_id else "",
            "result": case.get_appeal_result_display() if case.appeal_result else "",
            "reasons": case.appeal_reasons,
            "decided_at": case.appeal_decided_at,
            "decided_by": case.appeal_decider.full_name if case.appeal_result
            and case.appeal_decider else "",
            "revised_outcome": case.get_appeal_revised_outcome_display()
            if case.appeal_revised_outcome else "",
        },
        "outcome_in_force": {
            "outcome": in_force["label"],
            "decided_by": in_force["decided_by"].full_name if in_force["decided_by"] else "",
            "decided_at": in_force["decided_at"],
            "on_appeal": in_force["on_appeal"],
        } if in_force else None,
        "retention_until": case.retention_until,
        "legal_hold": case.legal_hold,
    }


REGISTER_HEADER = ["Reference", "Reported", "Academy", "Platform", "State", "Safeguarding",
                   "Severity", "Handler", "Due", "Outcome", "Clauses breached", "Appeal",
                   "Outcome in force", "Closed", "Retention until", "Legal hold"]


def case_register_rows(user) -> list[list[str]]:
    """Header and one row per case the user may see (for a CSV register)."""
    rows: list[list[str]] = [REGISTER_HEADER]
    cases = cases_visible_to(user).select_related(
        "academy", "handler", "decided_by", "appeal_hearer", "appeal_decided_by",
    ).prefetch_related(
        "clauses_breached").order_by("created_at", "pk")
    for case in cases:
        due = case_due(case)
        rows.append([
            case.reference, format_date(case.created_at),
            case.academy.name, case.platform_label, case.get_state_display(),
            case.safeguarding_label or "No", case.get_severity_display(),
            case.handler.full_name, format_date(due) if due and not case.is_final else "",
            case.get_outcome_display(),
            " ".join(sorted(c.number for c in case.clauses_breached.all())),
            case.get_appeal_result_display() if case.appeal_result else
            ("Lodged" if case.appeal_lodged_at else ""),
            case.in_force_label,
            format_date(case.closed_at),
            format_date(case.retention_until),
            "Yes" if case.legal_hold else "No",
        ])
    return rows


def anonymised_statistics(*, date_from: datetime.date | None = None,
                          date_to: datetime.date | None = None) -> dict[str, Any]:
    """Counts by clause number, platform, outcome, academy and state. Never names."""
    cases = Case.objects.all()
    if date_from:
        cases = cases.filter(created_at__date__gte=date_from)
    if date_to:
        cases = cases.filter(created_at__date__lte=date_to)
    rows = list(cases.select_related("academy").prefetch_related("cited_clauses",
                                                                 "clauses_breached"))
    by_clause_cited: Counter = Counter()
    by_clause_breached: Counter = Counter()
    for case in rows:
        by_clause_cited.update({c.number for c in case.cited_clauses.all()})
        by_clause_breached.update({c.number for c in case.clauses_breached.all()})
    return {
        "date_from": date_from,
        "date_to": date_to,
        "total": len(rows),
        "by_clause": dict(sorted(by_clause_breached.items())),
        "by_clause_cited": dict(sorted(by_clause_cited.items())),
        "by_platform": dict(Counter(c.get_platform_display() for c in rows)),
        # The outcome in force (after any appeal), as the case pages show it.
        "by_outcome": dict(Counter(c.in_force_label for c in rows if c.outcome)),
        "by_academy": dict(Counter(c.academy.name for c in rows)),
        "by_state": dict(Counter(c.get_state_display() for c in rows)),
        # As the case pages show it: confirmed at triage, or flagged and not yet triaged.
        "safeguarding": sum(1 for c in rows if c.is_safeguarding),
        "cyberbullying": sum(1 for c in rows if c.cyberbullying),
        "appeals": sum(1 for c in rows if c.appeal_lodged_at),
    }


def evidence_for_user(user, pk) -> Evidence:
    """Evidence of a case the user may open (Http404 otherwise, also for deleted files)."""
    from django.http import Http404

    evidence = Evidence.objects.filter(pk=pk, case__isnull=False, deleted_at__isnull=True
                                       ).first()
    if evidence is None:
        raise Http404("No such file.")
    get_case_for_user(user, evidence.case_id)
    return evidence


def routed_to_label(case) -> str:
    """Who the report went to, as the confirmation page says it (never a name)."""
    role = case.receiver.role
    if role == Role.PRINCIPAL:
        return f"the Principal of {case.academy.name}"
    if role == Role.CEO:
        return "the CEO"
    if role == Role.HR:
        return "HR, who involve the Chair of the Trust Board"
    return "the person who handles reports"
