"""What a pack is built from: one function per section, each returning a `Section`.

Each section knows whether its source exists. The policy library is always there; the
acknowledgement, breach and approval selectors are looked up at build time, and a section whose
source is missing says so in the pack instead of inventing data. Every section's data is hashed
(canonical JSON, SHA-256) so a pack can later be checked against the database.
"""

from __future__ import annotations

import datetime
import hashlib
import importlib
import json
import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from audit.models import AuditEvent
from core.dates import format_date, format_datetime
from policies.models import Clause, Policy, PolicyVersion

logger = logging.getLogger(__name__)


class SourceUnavailable(Exception):
    """The app that provides a section has not got the selector we need (yet)."""


@dataclass
class Section:
    key: str
    title: str
    available: bool = True
    data: Any = None
    #: Why the section is empty or missing, printed in the pack.
    note: str = ""
    #: Values hashed for verification; None means "hash `data`".
    hashed: Any = None
    digest: str = field(default="", init=False)

    def __post_init__(self) -> None:
        if self.available:
            self.digest = digest(self.hashed if self.hashed is not None else self.data)


def _default(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            return value.astimezone(datetime.UTC).isoformat()
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Model):
        return f"{value._meta.label_lower}:{value.pk}"
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def canonical(value: Any) -> bytes:
    return json.dumps(value, default=_default, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode()


def digest(value: Any) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


def selector(module: str, name: str) -> Callable:
    """The named selector of another app, or SourceUnavailable if that app has not got it."""
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        raise SourceUnavailable(f"{module} is not installed yet") from exc
    func = getattr(mod, name, None)
    if func is None:
        raise SourceUnavailable(f"{module}.{name}() is not available yet")
    return func


def field_of(row: Any, name: str, default: Any = None) -> Any:
    """Read a field from a dict-like or object row."""
    if isinstance(row, dict):
        return row.get(name, default)
    return getattr(row, name, default)


def guarded(key: str, title: str, what: str, make: Callable[[], Section]) -> Section:
    """Run a section built from another app's selector; a failure there marks it unavailable.

    The savepoint keeps a failed query from breaking the caller's transaction (PostgreSQL).
    """
    try:
        with transaction.atomic():
            return make()
    except SourceUnavailable as exc:
        return _unavailable(key, title, what, exc)
    except Exception as exc:  # noqa: BLE001 - the pack says so rather than failing outright
        logger.exception("Audit pack source %s failed", key)
        return _unavailable(key, title, what, f"it could not be read: {exc.__class__.__name__}")


def _unavailable(key: str, title: str, what: str, exc: Exception | str) -> Section:
    return Section(
        key=key, title=title, available=False,
        note=f"{what} was not available when this pack was built ({exc}). "
             "This section is intentionally left without data; nothing has been estimated.",
    )


# --------------------------------------------------------------------------- policy library


def version_in_force(policy: Policy, on: datetime.date) -> PolicyVersion | None:
    """The version that was published on `on` (the latest published on or before that day)."""
    end = timezone.make_aware(datetime.datetime.combine(on, datetime.time.max))
    return (
        policy.versions.filter(
            published_at__isnull=False, published_at__lte=end,
            status__in=[PolicyVersion.Status.PUBLISHED, PolicyVersion.Status.SUPERSEDED],
        ).order_by("-published_at").first()
    )


def previous_version(version: PolicyVersion) -> PolicyVersion | None:
    if version.previous_id:
        return version.previous
    return (
        version.policy.versions.exclude(pk=version.pk)
        .filter(created_at__lt=version.created_at)
        .exclude(status__in=[PolicyVersion.Status.DRAFT, PolicyVersion.Status.WITHDRAWN])
        .order_by("-created_at").first()
    )


def clauses_of(version: PolicyVersion) -> list[dict]:
    return [
        {"number": c.number, "anchor": c.anchor, "heading": c.heading, "text": c.text,
         "level": c.level}
        for c in Clause.objects.filter(version=version).order_by("order")
    ]


def addenda_of(version: PolicyVersion) -> list[dict]:
    """Approved academy addenda (local arrangements staff at that academy also read)."""
    try:
        from policies.models import AcademyAddendum
    except ImportError:
        return []
    return [
        {"academy": a.academy.name, "text": a.text, "content_hash": a.content_hash,
         "approved_by": a.approved_by.full_name if a.approved_by_id else "",
         "approved_at": a.approved_at}
        for a in AcademyAddendum.objects.filter(
            version=version, status=AcademyAddendum.Status.APPROVED,
        ).select_related("academy", "approved_by").order_by("academy__name")
    ]


def policy_text(version: PolicyVersion) -> Section:
    clauses = clauses_of(version)
    addenda = addenda_of(version)
    section = Section(
        key="policy_text", title="Full policy text",
        data={"clauses": clauses, "addenda": addenda},
        hashed={"content_hash": version.content_hash or version.compute_content_hash(),
                "clauses": [(c["number"], c["text"]) for c in clauses],
                "addenda": [(a["academy"], a["text"]) for a in addenda]},
    )
    if not clauses:
        section.note = "This version has no clauses recorded in the policy library."
    return section


def _cover_text(value: Any) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.date):
        return value.strftime("%B %Y")
    try:
        return datetime.date.fromisoformat(str(value)).strftime("%B %Y")
    except ValueError:
        return str(value)


def approval_record(version: PolicyVersion) -> Section:
    """Consultation, CEO approval, ratification and publication: what the cover sheet says,
    the dates and references entered at each step, and when and by whom they were recorded."""
    cover = version.cover or {}
    events = [
        {"when": format_datetime(e.created_at),
         "who": e.actor.full_name if e.actor_id else (e.actor_label or "system"),
         "action": e.action, "description": _describe(e.action), "summary": e.summary}
        for e in AuditEvent.objects.for_object(version).filter(action__startswith="policies.")
        .select_related("actor").order_by("created_at", "id")
    ]
    recorded = {e["action"]: e for e in events}  # the latest of each kind wins
    steps = {}  # the latest lifecycle step into each status
    for step in version.events.select_related("actor").order_by("created_at", "id"):
        steps[(step.from_status, step.to_status)] = step
        steps[step.to_status] = step
    S = PolicyVersion.Status

    def entered(step, *details: str) -> dict:
        if step is None:
            return {"entered": "", "reference": "", "recorded": ""}
        refs = [f"{_DETAIL_LABELS[k]}: {step.details[k]}" for k in details
                if step.details.get(k)]
        return {
            "entered": format_date(step.occurred_on),
            "reference": "; ".join(refs),
            "recorded": f"{format_datetime(step.created_at)} by "
                        f"{step.actor.full_name if step.actor_id else step.actor_label}",
        }

    def stage(name: str, cover_when: str, cover_who: str, code: str, step=None,
              details: tuple = ()) -> dict:
        row = {"stage": name, "when": cover_when, "who": cover_who, **entered(step, *details)}
        if not row["recorded"] and recorded.get(code):  # steps recorded before lifecycle events
            row["recorded"] = f"{recorded[code]['when']} by {recorded[code]['who']}"
        return row

    consultation_start = steps.get(S.CONSULTATION)
    consultation_end = steps.get((S.CONSULTATION, S.AWAITING_APPROVAL))
    consultation = stage(
        "Consultation" + (f" ({cover['consultation_body']})" if cover.get("consultation_body")
                          else " (JNC / trade unions)"),
        _cover_text(cover.get("jnc_consultation_month") or cover.get("jnc_consultation")), "",
        "policies.version_consultation", consultation_start, ("bodies",))
    if consultation_end is not None:
        end = entered(consultation_end, "comments")
        consultation["entered"] = " to ".join(x for x in (consultation["entered"],
                                                          end["entered"]) if x)
        consultation["reference"] = "; ".join(x for x in (consultation["reference"],
                                                          end["reference"]) if x)
        consultation["recorded"] = consultation["recorded"] or end["recorded"]
    skipped = steps.get((S.DRAFT, S.AWAITING_APPROVAL))
    if skipped is not None and consultation_start is None:
        consultation["reference"] = f"Not consulted: {version.consultation_skipped_reason}"
    publication = steps.get(S.PUBLISHED)
    stages: list[dict] = [
        consultation,
        stage("CEO approval", _cover_text(cover.get("ceo_approval_date")
                                          or cover.get("ceo_approval_month")),
              cover.get("ceo_approval_by", ""), "policies.version_approved",
              steps.get(S.APPROVED)),
        stage("LGB Cluster ratification", _cover_text(cover.get("lgb_ratification")), "",
              "policies.version_ratified", steps.get(S.RATIFIED), ("meeting",)),
        stage("Publication", "", "", "policies.version_published", publication,
              ("change_kind",)),
    ]
    if version.ratified_on and not stages[2]["entered"]:
        stages[2]["entered"] = format_date(version.ratified_on)
    data = {
        "status": version.get_status_display(),
        "change_kind": version.get_change_kind_display() if version.change_kind else "",
        "change_summary": version.change_summary,
        "created_by": version.created_by.full_name if version.created_by_id else "",
        "cover": [{"label": row.label, "value": row.new}
                  for row in _cover_changes(None, cover) if row.new],
        "warnings": [w.get("message", "") for w in version.warnings or []],
        "stages": stages,
        "events": events,
    }
    section = Section(key="approval_record", title="Approval record", data=data)
    if not events and not steps:
        section.note = ("No approval steps for this version are recorded in the portal's audit "
                        "trail; the dates above are those on the policy's cover sheet.")
    return section


_DETAIL_LABELS = {"bodies": "Consulted with", "comments": "What the unions said",
                  "meeting": "Meeting / minute reference", "change_kind": "Kind of change"}


def _cover_changes(old, new):
    from policies.cover import cover_changes

    return cover_changes(old, new)


def _describe(action: str) -> str:
    from audit.display import describe

    return describe(action)


def redline_section(version: PolicyVersion) -> Section:
    from policies.marks import render_marks_html
    from policies.redline import redline, summary

    previous = previous_version(version)
    if previous is None:
        return Section(key="redline", title="Changes from the previous version",
                       data={"previous": None, "rows": [], "summary": {}},
                       note="This is the first version in the policy library: there is no "
                            "earlier version to compare against.")
    try:
        diffs = selector("policies.selectors", "version_redline")(previous, version)
    except SourceUnavailable:
        diffs = redline(
            Clause.objects.filter(version=previous).order_by("order"),
            Clause.objects.filter(version=version).order_by("order"),
        )
    rows = [
        {"status": d.status, "number": d.number, "old_number": d.old_number,
         "new_number": d.new_number, "html": render_marks_html(d.marks)}
        for d in diffs if d.status != "unchanged"
    ]
    return Section(
        key="redline", title="Changes from the previous version",
        data={"previous": previous.label, "rows": rows, "summary": summary(diffs)},
        hashed={"previous": previous.label, "previous_hash": previous.content_hash,
                "rows": [(r["status"], r["number"], r["html"]) for r in rows]},
    )


def review_section(version: PolicyVersion) -> Section:
    policy = version.policy
    cover = version.cover or {}
    today = timezone.localdate()
    next_due = policy.next_review_due
    if next_due is None and cover.get("next_review_due"):
        try:
            next_due = datetime.date.fromisoformat(str(cover["next_review_due"]))
        except ValueError:
            next_due = None
    history = [
        {"label": v.label, "status": v.get_status_display(),
         "published": format_date(v.published_at)
         if v.published_at else "",
         "change": v.get_change_kind_display() if v.change_kind else "",
         "summary": v.change_summary, "current": v.pk == version.pk}
        for v in policy.versions.order_by("created_at")
    ]
    events = [
        {"when": format_date(e.created_at),
         "who": e.actor.full_name if e.actor_id else (e.actor_label or "system"),
         "description": _describe(e.action), "summary": e.summary}
        for e in AuditEvent.objects.for_object(policy).filter(action__startswith="policies.")
        .select_related("actor").order_by("created_at", "id")
    ]
    data = {
        "interval_months": policy.review_interval_months,
        "last_reviewed": policy.last_reviewed_on or cover.get("last_reviewed") or None,
        "next_due": next_due,
        "overdue": bool(next_due and next_due < today),
        "history": history,
        "events": events,
    }
    return Section(key="review", title="Review history and next review", data=data,
                   hashed={k: v for k, v in data.items() if k != "overdue"})


# --------------------------------------------------------------------------- acknowledgements

#: Roster statuses that count as done; everything else is outstanding.
DONE_STATUSES = {"acknowledged", "done", "complete", "completed"}


def _status_key(value: Any) -> str:
    return str(value or "").strip().lower().replace(" ", "_")


def roster_section(version: PolicyVersion, academy=None) -> Section:
    title = "Acknowledgement roster"
    try:
        roster_for_version = selector("acknowledgements.selectors", "roster_for_version")
    except SourceUnavailable as exc:
        return _unavailable("roster", title, "The acknowledgement roster", exc)
    rows = []
    raw_rows = list(roster_for_version(version, academy=academy))
    for row in raw_rows:
        academy_value = field_of(row, "academy")
        category = field_of(row, "category", "")
        rows.append({
            "name": str(field_of(row, "name", "")),
            "academy": str(academy_value) if academy_value else "Central / no academy",
            "category": str(field_of(row, "category_label", "") or _category_label(category)),
            "acknowledged_at": field_of(row, "acknowledged_at"),
            "method": str(field_of(row, "method_label", "") or field_of(row, "method", "") or ""),
            "status": _status_key(field_of(row, "status")),
        })
        rows[-1]["status_label"] = _status_label(rows[-1]["status"])
    groups: OrderedDict[str, list[dict]] = OrderedDict()
    for row in sorted(rows, key=lambda r: (r["academy"], r["name"].lower())):
        groups.setdefault(row["academy"], []).append(row)
    academies = [_totals(name, members) for name, members in groups.items()]
    data = {"academies": academies, "totals": _totals("Whole trust", rows), "count": len(rows)}
    # Hash what a person could dispute, not the clock: "outstanding" turning "overdue" as the
    # due date passes is not a change of record.
    hashed = [
        (r["name"], str(field_of(raw, "email", "")), r["academy"], r["category"],
         r["acknowledged_at"], r["method"], r["status"] in DONE_STATUSES)
        for r, raw in zip(rows, raw_rows, strict=True)
    ]
    return Section(key="roster", title=title, data=data, hashed=sorted(hashed, key=str),
                   note="" if rows else "Nobody is in the audience of this version.")


def _status_label(status: str) -> str:
    if status in DONE_STATUSES:
        return "Acknowledged"
    if status == "overdue":
        return "OVERDUE"
    return status.replace("_", " ").capitalize() or "Outstanding"


def _category_label(value: Any) -> str:
    from accounts.models import Category

    try:
        return Category(value).label
    except ValueError:
        return str(value or "")


def _pct(part: int, whole: int) -> str:
    return f"{(100 * part / whole):.1f}%" if whole else "–"


def _totals(name: str, rows: list[dict]) -> dict:
    total = len(rows)
    done = sum(1 for r in rows if r["status"] in DONE_STATUSES)
    overdue = sum(1 for r in rows if r["status"] == "overdue")
    outstanding = total - done - overdue
    return {
        "name": name, "rows": rows, "total": total, "acknowledged": done,
        "outstanding": outstanding, "overdue": overdue,
        "acknowledged_pct": _pct(done, total), "outstanding_pct": _pct(outstanding, total),
        "overdue_pct": _pct(overdue, total),
    }


def chain_head() -> Section:
    title = "Acknowledgement chain head"
    try:
        chain_head_hash = selector("acknowledgements.selectors", "chain_head_hash")
    except SourceUnavailable as exc:
        return _unavailable("chain_head", title, "The acknowledgement chain", exc)
    value = chain_head_hash() or ""
    return Section(key="chain_head", title=title, data=value, hashed=value,
                   note="" if value else "No acknowledgement has been recorded yet.")


# --------------------------------------------------------------------------- approvals, breaches


def approvals_section(date_from=None, date_to=None) -> Section:
    title = "Approvals and exceptions in force"
    try:
        in_force_summary = selector("approvals.selectors", "in_force_summary")
    except SourceUnavailable as exc:
        return _unavailable("approvals", title, "The approvals register", exc)
    summary = in_force_summary()
    return Section(key="approvals", title=title, data=_tables(summary))


def breach_statistics_section(date_from=None, date_to=None) -> Section:
    title = "Breach statistics (anonymised)"
    try:
        anonymised_statistics = selector("breaches.selectors", "anonymised_statistics")
    except SourceUnavailable as exc:
        return _unavailable("breach_statistics", title, "Breach case statistics", exc)
    stats = anonymised_statistics(date_from=date_from, date_to=date_to)
    return Section(key="breach_statistics", title=title, data=_tables(stats))


_DIMENSION_TITLES = {
    "clause": "By clause", "by_clause": "By clause breached (decided outcome)",
    "clauses": "By clause", "by_clause_cited": "By clause cited in the report",
    "by_state": "By stage", "total": "Cases reported", "safeguarding": "Safeguarding concerns",
    "cyberbullying": "Cyber-bullying reports", "appeals": "Appeals lodged",
    "platform": "By platform", "by_platform": "By platform", "platforms": "By platform",
    "outcome": "By outcome", "by_outcome": "By outcome", "outcomes": "By outcome",
    "academy": "By academy", "by_academy": "By academy", "academies": "By academy",
}


def _tables(summary: Any) -> list[dict]:
    """Turn {"by_clause": {"5.1 f)": 3}, "total": 7, ...} style summaries into count tables.

    Only labels and numbers are carried over, so nothing else (such as a name) can reach the
    pack from a summary.
    """
    tables: list[dict] = []
    totals: list[tuple[str, Any]] = []
    items: Iterable = summary.items() if isinstance(summary, dict) else enumerate(summary or [])
    for key, value in items:
        title = _DIMENSION_TITLES.get(str(key), str(key).replace("_", " ").capitalize())
        if isinstance(value, int | float):
            totals.append((title, value))
            continue
        rows = _count_rows(value)
        if rows is not None:
            column = title[3:].capitalize() if title.startswith("By ") else "Item"
            tables.append({"title": title, "column": column, "rows": rows, "total": sum(
                r[1] for r in rows if isinstance(r[1], int | float))})
    if totals:
        tables.insert(0, {"title": "Totals", "column": "Measure", "rows": totals, "total": None})
    return tables


def _count_rows(value: Any) -> list[tuple[str, Any]] | None:
    if isinstance(value, dict):
        return [(str(k), v) for k, v in value.items() if isinstance(v, int | float)]
    if isinstance(value, list | tuple):
        rows = []
        for item in value:
            if isinstance(item, dict):
                count = item.get("count", item.get("total", item.get("n")))
                label = item.get("label", item.get("name", item.get("key", "")))
                if isinstance(count, int | float):
                    rows.append((str(label), count))
            elif isinstance(item, list | tuple) and len(item) >= 2 and isinstance(
                item[-1], int | float
            ):
                rows.append((" ".join(str(x) for x in item[:-1]), item[-1]))
        return rows
    return None
