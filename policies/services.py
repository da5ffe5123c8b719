"""Writes for the policy library: import, the version lifecycle, drafts, addenda and reviews.

Every function is keyword-only, runs in one transaction and records an audit event. Domain
problems raise ``PolicyError`` (its message is written for the person who tried); views turn
it into a form error or a message.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Academy, Role, User
from accounts.permissions import can
from audit.services import audit_log
from notifications.services import notify
from policies import editing
from policies.models import (
    AcademyAddendum,
    Clause,
    Policy,
    PolicyImmutable,
    PolicyReview,
    PolicyVersion,
    VersionEvent,
)
from policies.parsing import (
    ParsedClause,
    PolicyParseError,
    parse_clause_lines,
    parse_policy_text,
    render_policy_text,
)
from policies.signals import version_published, version_withdrawn

S = PolicyVersion.Status

__all__ = [
    "ImportResult",
    "PolicyError",
    "TRANSITIONS",
    "TransitionNotAllowed",
    "addendum_save",
    "addendum_transition",
    "clause_add",
    "clause_move",
    "clause_remove",
    "clause_update",
    "policy_import",
    "policy_register_document",
    "policy_review_record",
    "version_new_draft",
    "version_publish",
    "version_relabel",
    "version_renumber",
    "version_replace_text",
    "version_transition",
]


class PolicyError(Exception):
    """A domain error with a message for the person who tried; ``line_number`` when known."""

    def __init__(self, message: str, line_number: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line_number = line_number

    def __str__(self) -> str:
        if self.line_number is None:
            return self.message
        return f"Line {self.line_number}: {self.message}"


class TransitionNotAllowed(PolicyError):
    """The move is not in the table, or this person's role may not make it."""


# --------------------------------------------------------------------------- helpers


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def content_hash_of(pairs: Iterable[tuple[str, str]]) -> str:
    """The same hash as ``PolicyVersion.compute_content_hash`` for (number, text) pairs."""
    digest = hashlib.sha256()
    for number, text in pairs:
        digest.update(number.encode() + b"\x1f" + text.encode() + b"\x1e")
    return digest.hexdigest()


def _json_safe(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    return value


#: First path segments under /policies/ that a policy slug must not take.
RESERVED_SLUGS = {"import", "register", "reviews"}
#: Second path segments a version label must not take.
RESERVED_LABELS = {"compare", "document", "new-draft", "reviews", "settings"}


def _unique_slug(title: str) -> str:
    base = slugify(title)[:90] or "policy"
    if base in RESERVED_SLUGS:
        base = f"{base}-policy"
    slug, n = base, 2
    while Policy.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _unique_label(policy: Policy, base: str) -> str:
    label, n = base, 2
    while PolicyVersion.objects.filter(policy=policy, label=label).exists():
        label, n = f"{base}-{n}", n + 1
    return label


def _write_clauses(version: PolicyVersion, clauses: list[ParsedClause]) -> None:
    """Replace the clauses of a draft with parsed ones and refresh its hash."""
    if not version.is_editable:
        raise PolicyImmutable(f"{version} is {version.get_status_display().lower()}.")
    version.clauses.all().delete()
    by_number: dict[str, Clause] = {}
    for parsed in clauses:
        clause = Clause(
            version=version,
            number=parsed.number,
            anchor=parsed.anchor,
            heading=parsed.heading[:300],
            text=parsed.text,
            level=parsed.level,
            parent=by_number.get(parsed.parent_number) if parsed.parent_number else None,
            order=parsed.order,
        )
        clause.save()
        by_number[parsed.number] = clause
    version.content_hash = content_hash_of((c.number, c.text) for c in clauses)
    version.source_text = render_policy_text(clauses)
    version.save()


def _people_with_role(role: str) -> list[User]:
    return list(User.objects.current().filter(role=role, is_active=True))


def owner_and_hr(policy: Policy) -> list[User]:
    """Who looks after a policy: the holders of its owner role, and HR."""
    people = {person.pk: person for person in _people_with_role(policy.owner_role)}
    people.update({person.pk: person for person in _people_with_role(Role.HR)})
    return list(people.values())


def version_url(version: PolicyVersion, name: str = "version_record") -> str:
    return reverse(f"policies:{name}", args=[version.policy.slug, version.label])


def _refresh_review_dates(policy: Policy, *, next_due: datetime.date | None = None) -> None:
    latest = policy.reviews.order_by("-reviewed_on", "-id").first()
    if latest is not None:
        policy.last_reviewed_on = latest.reviewed_on
        policy.next_review_due = next_due or add_months(
            latest.reviewed_on, policy.review_interval_months
        )
    elif next_due is not None:
        policy.next_review_due = next_due
    policy.save(update_fields=["last_reviewed_on", "next_review_due"])


# --------------------------------------------------------------------------- import


@dataclass
class ImportResult:
    policy: Policy
    version: PolicyVersion
    created: bool


def policy_import(
    *,
    text: str,
    title: str = "",
    actor,
    request=None,
    owner_role: str | None = None,
    review_interval_months: int | None = None,
    source_name: str = "",
) -> ImportResult:
    """Create a draft version (and the policy, if new) from a plain-text policy document.

    The same text imported again returns the existing version (``created`` False). Raises
    ``PolicyError`` (with ``line_number``) for a file that is not a policy we can read.
    """
    if actor is not None and not can(actor, "policies.manage"):
        raise TransitionNotAllowed("only HR, the CEO or an administrator may import a policy")
    try:
        parsed = parse_policy_text(text)
    except PolicyParseError as error:
        raise PolicyError(error.message, error.line_number) from None
    title = " ".join((title or parsed.title).split())
    if not title:
        raise PolicyError("the document has no title line; give the policy a title")
    digest = content_hash_of((c.number, c.text) for c in parsed.clauses)
    existing = (
        PolicyVersion.objects.filter(content_hash=digest).select_related("policy")
        .order_by("created_at").first()
    )
    if existing is not None:
        return ImportResult(existing.policy, existing, created=False)

    metadata = _json_safe(parsed.metadata)
    with transaction.atomic():
        policy = Policy.objects.select_for_update().filter(title__iexact=title).first()
        created_policy = policy is None
        if policy is None:
            policy = Policy.objects.create(
                title=title,
                slug=_unique_slug(title),
                category=parsed.category[:200],
                owner_role=owner_role or Role.CEO,
                review_interval_months=review_interval_months or 24,
            )
        in_progress = policy.versions.filter(status__in=PolicyVersion.IN_PROGRESS).first()
        if in_progress is not None:
            raise PolicyError(
                f"{policy.title} already has version {in_progress.label} in progress "
                f"({in_progress.get_status_display().lower()}); replace its text in the draft "
                "editor, or abandon it first"
            )
        month = parsed.metadata.get("ceo_approval_month") or timezone.localdate()
        version = PolicyVersion.objects.create(
            policy=policy,
            label=_unique_label(policy, f"{month:%Y-%m}"),
            cover=metadata,
            previous=policy.current_version(),
            created_by=actor,
        )
        _write_clauses(version, parsed.clauses)
        last_reviewed = parsed.metadata.get("last_reviewed")
        next_due = parsed.metadata.get("next_review_due")
        if last_reviewed and not policy.reviews.filter(reviewed_on=last_reviewed).exists():
            PolicyReview.objects.create(
                policy=policy, reviewed_on=last_reviewed, outcome=PolicyReview.Outcome.NEW_VERSION,
                reviewer_name="As recorded on the cover sheet", recorded_by=actor,
                notes=f"Imported from the cover sheet of {source_name or 'the document'}.",
                version=version,
            )
        if last_reviewed or next_due:
            _refresh_review_dates(policy, next_due=next_due)
        audit_log(
            action="policies.version_imported", actor=actor, obj=version, request=request,
            summary=f"Imported {policy.title} version {version.label} with "
            f"{len(parsed.clauses)} clauses" + (f" from {source_name}" if source_name else ""),
            changes={"clauses": len(parsed.clauses), "content_hash": version.content_hash,
                     "new_policy": created_policy, "cover": metadata},
        )
    return ImportResult(policy, version, created=True)


ALLOWED_DOCUMENT_TYPES = (".pdf", ".docx", ".doc", ".odt", ".rtf", ".txt")
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def policy_register_document(
    *, title: str, document, actor, request=None, summary: str = "",
    owner_role: str | None = None,
) -> Policy:
    """Register a referenced policy (ICT User Policy, …) as an uploaded document."""
    if not can(actor, "policies.manage"):
        raise TransitionNotAllowed("only HR, the CEO or an administrator may register a policy")
    title = " ".join(title.split())
    if not title:
        raise PolicyError("give the policy a title")
    name = getattr(document, "name", "") or ""
    if not name.lower().endswith(ALLOWED_DOCUMENT_TYPES):
        raise PolicyError(
            "upload a PDF, Word, OpenDocument, RTF or plain-text file "
            f"({', '.join(ALLOWED_DOCUMENT_TYPES)})"
        )
    if document.size > MAX_DOCUMENT_BYTES:
        raise PolicyError("the file is larger than 10 MB")
    with transaction.atomic():
        policy = Policy.objects.select_for_update().filter(title__iexact=title).first()
        if policy is None:
            policy = Policy(
                title=title, slug=_unique_slug(title), owner_role=owner_role or Role.CEO,
                requires_acknowledgement=False,
            )
        policy.summary = summary or policy.summary
        policy.document_name = name[-200:]
        policy.save()
        policy.document.save(f"{policy.slug}-{name[-80:]}", document, save=True)
        audit_log(
            action="policies.document_registered", actor=actor, obj=policy, request=request,
            summary=f"Uploaded the document for {policy.title} ({name})",
            changes={"file": name, "size": document.size},
        )
    return policy


# --------------------------------------------------------------------------- lifecycle


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    permission: str
    label: str
    help: str = ""


#: The one table of lifecycle moves: (from, to) -> who may make it (a permission code).
TRANSITIONS: dict[tuple[str, str], Transition] = {
    (t.source, t.target): t
    for t in [
        Transition(S.DRAFT, S.CONSULTATION, "policies.manage",
                   "Start consultation with the trade unions (JNC)",
                   "The text is frozen while the recognised trade unions are consulted."),
        Transition(S.DRAFT, S.AWAITING_APPROVAL, "policies.manage",
                   "Skip consultation and send for CEO approval",
                   "Only where consultation does not apply; say why."),
        Transition(S.DRAFT, S.WITHDRAWN, "policies.manage", "Abandon this draft",
                   "The draft is kept in the history but never published."),
        Transition(S.CONSULTATION, S.AWAITING_APPROVAL, "policies.manage",
                   "Close consultation and send for CEO approval",
                   "Record when consultation ended and what the unions said."),
        Transition(S.CONSULTATION, S.DRAFT, "policies.manage", "Return to draft for changes"),
        Transition(S.AWAITING_APPROVAL, S.APPROVED, "policies.approve", "Approve as CEO"),
        Transition(S.AWAITING_APPROVAL, S.DRAFT, "policies.approve",
                   "Return to draft without approving"),
        Transition(S.APPROVED, S.RATIFIED, "policies.ratify",
                   "Record LGB Cluster ratification",
                   "Give the date of the meeting that ratified it."),
        Transition(S.RATIFIED, S.PUBLISHED, "policies.manage", "Publish",
                   "The previous version becomes superseded. Say whether staff must "
                   "acknowledge it again."),
        Transition(S.PUBLISHED, S.WITHDRAWN, "policies.approve", "Withdraw this policy",
                   "Staff will no longer be asked to read or acknowledge it."),
    ]
}


def transitions_from(status: str) -> list[Transition]:
    return [t for (source, _), t in TRANSITIONS.items() if source == status]


def transitions_for(version: PolicyVersion, user) -> list[Transition]:
    """The moves this person may make on this version now."""
    return [t for t in transitions_from(version.status) if can(user, t.permission)]


def _as_date(value, field: str, *, required: bool = False) -> datetime.date | None:
    if value in (None, ""):
        if required:
            raise PolicyError(f"give the {field}")
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise PolicyError(f"the {field} is not a date") from None


def version_transition(
    *, version: PolicyVersion, to_status: str, actor, reason: str, request=None, **details
) -> PolicyVersion:
    """Apply one lifecycle move: check the table and the role, save, record, notify.

    ``details`` by move: ``on`` (date it happened, any move); consultation start:
    ``bodies``; consultation end: ``comments``; ratification: ``ratified_on`` (required),
    ``meeting``; publication: ``change_kind`` ("material"/"minor") and ``change_summary``.
    """
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = PolicyVersion.objects.select_for_update().select_related("policy").get(
            pk=version.pk
        )
        source = locked.status
        transition = TRANSITIONS.get((source, to_status))
        if transition is None:
            raise TransitionNotAllowed(
                f"a version that is {locked.get_status_display().lower()} cannot become "
                f"{S(to_status).label.lower() if to_status in S.values else to_status}"
            )
        if not can(actor, transition.permission):
            roles = ", ".join(sorted(_roles_for(transition.permission)))
            raise TransitionNotAllowed(f"only {roles} may do this ({transition.label.lower()})")
        if not reason:
            raise PolicyError("give a reason or comment for the record")

        now = timezone.now()
        given_on = details.pop("on", None)
        occurred_on = _as_date(given_on, "date") or timezone.localdate()
        event_details: dict[str, object] = {}
        previous = None
        if to_status == S.CONSULTATION:
            event_details["bodies"] = (details.get("bodies") or
                                       "Joint Negotiating Council (JNC) / recognised trade unions")
        elif source == S.DRAFT and to_status == S.AWAITING_APPROVAL:
            locked.consultation_skipped_reason = reason
            event_details["consultation_skipped"] = True
        elif source == S.CONSULTATION and to_status == S.AWAITING_APPROVAL:
            event_details["comments"] = details.get("comments", "")
        elif to_status == S.APPROVED:
            # Approval recorded after the event (e.g. from a cover sheet) keeps its real date.
            approved_at = now if given_on is None else timezone.make_aware(
                datetime.datetime.combine(occurred_on, datetime.time(12, 0))
            )
            locked.approved_by, locked.approved_at = actor, approved_at
        elif to_status == S.RATIFIED:
            ratified_on = _as_date(
                details.get("ratified_on") or given_on, "ratification date", required=True
            )
            if ratified_on > timezone.localdate():
                raise PolicyError("the ratification date cannot be in the future")
            occurred_on = ratified_on
            locked.ratified_on, locked.ratified_recorded_by = ratified_on, actor
            event_details["meeting"] = details.get("meeting", "")
        elif to_status == S.PUBLISHED:
            change_kind = details.get("change_kind") or ""
            summary = (details.get("change_summary") or "").strip()
            if change_kind not in PolicyVersion.ChangeKind.values:
                raise PolicyError("say whether the change is material or minor")
            if not summary:
                raise PolicyError("give a change summary for staff")
            previous = (
                PolicyVersion.objects.select_for_update()
                .filter(policy=locked.policy, status=S.PUBLISHED).exclude(pk=locked.pk).first()
            )
            if previous is not None:
                previous.status = S.SUPERSEDED
                previous.save(update_fields=["status"])
                VersionEvent.objects.create(
                    version=previous, from_status=S.PUBLISHED, to_status=S.SUPERSEDED,
                    actor=actor, actor_label=_label(actor), occurred_on=occurred_on,
                    reason=f"Superseded by version {locked.label}.",
                )
                locked.previous = previous
            locked.change_kind, locked.change_summary = change_kind, summary
            locked.published_at = now
            event_details.update(change_kind=change_kind, change_summary=summary)
        elif to_status == S.WITHDRAWN:
            locked.withdrawn_at = now

        locked.status = to_status
        locked.save()
        event = VersionEvent.objects.create(
            version=locked, from_status=source, to_status=to_status, actor=actor,
            actor_label=_label(actor), reason=reason, occurred_on=occurred_on,
            details=_json_safe(event_details),
        )
        audit_log(
            action=f"policies.version_{to_status}" if to_status != S.DRAFT
            else "policies.version_returned",
            actor=actor, obj=locked, request=request,
            summary=f"{locked.policy.title} {locked.label}: {transition.label}. {reason}",
            changes={"status": [source, to_status], "reason": reason,
                     "occurred_on": occurred_on.isoformat(), **_json_safe(event_details)},
        )
        _notify_transition(locked, event, actor)
        if to_status == S.PUBLISHED:
            version_published.send(
                sender=PolicyVersion, version=locked, previous=previous, actor=actor,
                material=locked.change_kind == PolicyVersion.ChangeKind.MATERIAL,
            )
        elif to_status == S.WITHDRAWN and source == S.PUBLISHED:
            version_withdrawn.send(sender=PolicyVersion, version=locked, actor=actor)
    version.refresh_from_db()
    return locked


def _label(actor) -> str:
    return f"{actor.full_name} <{actor.email}>" if actor is not None else "system"


def _roles_for(permission: str) -> set[str]:
    from accounts.permissions import PERMISSIONS

    labels = dict(Role.choices)
    return {labels.get(role, role) for role in PERMISSIONS[permission]}


def _notify_transition(version: PolicyVersion, event: VersionEvent, actor) -> None:
    title = f"{version.policy.title} {version.label}"
    url = version_url(version)
    recipients: list[User] = []
    message = ""
    if version.status == S.AWAITING_APPROVAL:
        recipients, message = _people_with_role(Role.CEO), f"{title} is awaiting your approval"
    elif version.status == S.APPROVED:
        recipients = owner_and_hr(version.policy)
        message = f"{title} was approved by the CEO: record the LGB Cluster ratification"
    elif version.status == S.RATIFIED:
        recipients, message = owner_and_hr(version.policy), f"{title} is ready to publish"
    elif version.status == S.DRAFT and version.created_by is not None:
        recipients, message = [version.created_by], f"{title} was returned to draft"
    for person in recipients:
        if person != actor:
            notify(recipient=person, kind=f"policies.version_{version.status}", title=message,
                   body=event.reason, url=url, about=version, period=f"event-{event.pk}")


def version_publish(
    *, version: PolicyVersion, actor, change_kind: str, change_summary: str, reason: str = "",
    request=None, on=None,
) -> PolicyVersion:
    """Publish a ratified version (the previous one becomes superseded)."""
    return version_transition(
        version=version, to_status=S.PUBLISHED, actor=actor, request=request,
        reason=reason or change_summary.strip() or "Published", change_kind=change_kind,
        change_summary=change_summary,
        on=on,
    )


# --------------------------------------------------------------------------- drafts


def version_new_draft(*, policy: Policy, actor, request=None, label: str = "") -> PolicyVersion:
    """Start a new draft from the published version (its clauses and approved addenda)."""
    if not can(actor, "policies.manage"):
        raise TransitionNotAllowed("only HR, the CEO or an administrator may start a new draft")
    with transaction.atomic():
        policy = Policy.objects.select_for_update().get(pk=policy.pk)
        in_progress = policy.versions.filter(status__in=PolicyVersion.IN_PROGRESS).first()
        if in_progress is not None:
            raise PolicyError(
                f"version {in_progress.label} is already in progress "
                f"({in_progress.get_status_display().lower()})"
            )
        current = policy.current_version()
        if current is None:
            raise PolicyError("there is no published version to start from")
        draft = PolicyVersion.objects.create(
            policy=policy,
            label=_unique_label(policy, label.strip() or f"{timezone.localdate():%Y-%m}"),
            previous=current,
            created_by=actor,
        )
        clauses = parse_clause_lines(render_policy_text(current.clauses.order_by("order")))
        _write_clauses(draft, clauses)
        for addendum in current.addenda.all():
            AcademyAddendum.objects.create(
                version=draft, academy=addendum.academy, text=addendum.text,
                status=addendum.status, content_hash=addendum.content_hash,
                drafted_by=addendum.drafted_by, approved_by=addendum.approved_by,
                approved_at=addendum.approved_at,
            )
        audit_log(
            action="policies.version_drafted", actor=actor, obj=draft, request=request,
            summary=f"Started draft {draft.label} of {policy.title} from {current.label}",
            changes={"from": current.label},
        )
    return draft


def _require_draft(version: PolicyVersion, actor) -> None:
    if not can(actor, "policies.manage"):
        raise TransitionNotAllowed("only HR, the CEO or an administrator may edit a draft")
    if not version.is_editable:
        raise PolicyImmutable(
            f"version {version.label} is {version.get_status_display().lower()}; "
            "only a draft can be edited"
        )


def _apply_pairs(
    *, version: PolicyVersion, pairs: list[tuple[str, str]], actor, request, action: str,
    summary: str, changes: dict | None = None,
) -> PolicyVersion:
    class _Pair:
        def __init__(self, number: str, text: str) -> None:
            self.number, self.text = number, text

    try:
        clauses = parse_clause_lines(render_policy_text(_Pair(n, t) for n, t in pairs))
    except PolicyParseError as error:
        # Line numbers of the rendered text mean nothing to someone editing one clause.
        raise PolicyError(re.sub(r" \(it is already used on line \d+\)", "", error.message)
                          ) from None
    except ValueError as error:
        raise PolicyError(str(error)) from None
    return _save_draft_clauses(
        version=version, clauses=clauses, actor=actor, request=request, action=action,
        summary=summary, changes=changes,
    )


def _save_draft_clauses(*, version, clauses, actor, request, action, summary, changes=None):
    with transaction.atomic():
        locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        _require_draft(locked, actor)
        before = locked.content_hash
        _write_clauses(locked, clauses)
        audit_log(
            action=action, actor=actor, obj=locked, request=request,
            summary=f"{locked.policy.title} {locked.label}: {summary}",
            changes={"content_hash": [before, locked.content_hash], **(changes or {})},
        )
    version.refresh_from_db()
    return locked


def _pairs(version: PolicyVersion) -> list[tuple[str, str]]:
    return list(version.clauses.order_by("order").values_list("number", "text"))


def version_replace_text(
    *, version: PolicyVersion, text: str, actor, request=None
) -> PolicyVersion:
    """Replace every clause of a draft from a plain-text body; errors point at the line."""
    _require_draft(version, actor)
    try:
        clauses = parse_clause_lines(text)
    except PolicyParseError as error:
        raise PolicyError(error.message, error.line_number) from None
    return _save_draft_clauses(
        version=version, clauses=clauses, actor=actor, request=request,
        action="policies.draft_replaced", summary=f"replaced the whole text ({len(clauses)} "
        "clauses)",
    )


def clause_update(*, clause: Clause, number: str, text: str, actor, request=None) -> PolicyVersion:
    version = clause.version
    _require_draft(version, actor)
    number, text = " ".join(number.split()), " ".join(text.split())
    if not text:
        raise PolicyError(f"clause {number or clause.number} is empty; add its text or remove it")
    pairs = [(number, text) if n == clause.number else (n, t) for n, t in _pairs(version)]
    return _apply_pairs(
        version=version, pairs=pairs, actor=actor, request=request,
        action="policies.clause_changed", summary=f"changed clause {clause.number}",
        changes={"clause": clause.number, "number": [clause.number, number],
                 "text": [clause.text, text]},
    )


def clause_remove(*, clause: Clause, actor, request=None, renumber: bool = True) -> PolicyVersion:
    """Remove a clause and the items under it, then renumber the rest (unless told not to)."""
    version = clause.version
    _require_draft(version, actor)
    entries = editing.entries_from(version.clauses.order_by("order"))
    index = next(i for i, c in enumerate(version.clauses.order_by("order")) if c.pk == clause.pk)
    end = editing.block_end(entries, index)
    if renumber:
        pairs = editing.renumber(entries[:index] + entries[end:])
    else:
        pairs = _pairs(version)
        pairs = pairs[:index] + pairs[end:]
    if not pairs:
        raise PolicyError("a policy needs at least one clause")
    return _apply_pairs(
        version=version, pairs=pairs, actor=actor, request=request,
        action="policies.clause_removed", summary=f"removed clause {clause.number}",
        changes={"clause": clause.number, "text": clause.text, "removed": end - index},
    )


def clause_add(
    *, version: PolicyVersion, after: Clause | None, level: int, text: str, actor, request=None
) -> PolicyVersion:
    """Insert a clause after another (after its items when at the same or a higher level).

    Clauses are renumbered in order, so the new one takes the next number at its level.
    """
    _require_draft(version, actor)
    text = " ".join(text.split())
    if not text:
        raise PolicyError("the new clause is empty; write its text")
    if level not in editing.LEVEL_NAMES:
        raise PolicyError("choose what kind of clause to add")
    clauses = list(version.clauses.order_by("order"))
    entries = editing.entries_from(clauses)
    if after is None:
        position = 0
    else:
        index = next(i for i, c in enumerate(clauses) if c.pk == after.pk)
        position = index + 1 if level > entries[index].level else editing.block_end(entries,
                                                                                    index)
    hint = entries[position - 1].section_hint if position else None
    entries.insert(position, editing.Entry(level=level, text=text, section_hint=hint))
    return _apply_pairs(
        version=version, pairs=editing.renumber(entries), actor=actor, request=request,
        action="policies.clause_added",
        summary=f"added a {editing.LEVEL_NAMES[level].lower()}"
        + (f" after {after.number}" if after else " at the start"),
        changes={"after": after.number if after else None, "level": level, "text": text},
    )


def clause_move(*, clause: Clause, direction: str, actor, request=None) -> PolicyVersion:
    version = clause.version
    _require_draft(version, actor)
    clauses = list(version.clauses.order_by("order"))
    entries = editing.entries_from(clauses)
    index = next(i for i, c in enumerate(clauses) if c.pk == clause.pk)
    try:
        moved = editing.move(entries, index, direction)
    except ValueError as error:
        raise PolicyError(f"clause {clause.number} cannot move {direction}: {error}") from None
    return _apply_pairs(
        version=version, pairs=editing.renumber(moved), actor=actor, request=request,
        action="policies.clause_moved", summary=f"moved clause {clause.number} {direction}",
        changes={"clause": clause.number, "direction": direction},
    )


def version_renumber(*, version: PolicyVersion, actor, request=None) -> PolicyVersion:
    _require_draft(version, actor)
    entries = editing.entries_from(version.clauses.order_by("order"))
    return _apply_pairs(
        version=version, pairs=editing.renumber(entries), actor=actor, request=request,
        action="policies.draft_renumbered", summary="renumbered the clauses in order",
    )


def version_relabel(*, version: PolicyVersion, label: str, actor, request=None) -> PolicyVersion:
    label = slugify(label.strip())[:40]
    if not label:
        raise PolicyError("give the version a label such as 2026-11")
    with transaction.atomic():
        locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        _require_draft(locked, actor)
        if label in RESERVED_LABELS:
            raise PolicyError(f"{label} is used by the portal's own pages; choose another label")
        if locked.policy.versions.filter(label=label).exclude(pk=locked.pk).exists():
            raise PolicyError(f"another version is already labelled {label}")
        before, locked.label = locked.label, label
        locked.save(update_fields=["label"])
        audit_log(action="policies.draft_relabelled", actor=actor, obj=locked, request=request,
                  summary=f"Relabelled draft {before} as {label}", changes={"label": [before,
                                                                                      label]})
    return locked


# --------------------------------------------------------------------------- addenda

A = AcademyAddendum.Status

#: Addendum moves: the Principal (or HR/CEO) submits, the CEO approves or returns it.
ADDENDUM_TRANSITIONS: dict[tuple[str, str], tuple[str, str]] = {
    (A.DRAFT, A.SUBMITTED): ("policies.addendum_draft", "Send to the CEO for approval"),
    (A.SUBMITTED, A.APPROVED): ("policies.approve", "Approve this addendum"),
    (A.SUBMITTED, A.DRAFT): ("policies.approve", "Return to the Principal"),
}
FROZEN_VERSION_STATUSES = set(AcademyAddendum.FROZEN_VERSION_STATUSES)


def may_draft_addendum(user, academy: Academy) -> bool:
    if not can(user, "policies.addendum_draft"):
        return False
    if user.role == Role.PRINCIPAL:
        return user.academy_id == academy.pk
    return True


def addendum_save(
    *, version: PolicyVersion, academy: Academy, text: str, actor, request=None
) -> AcademyAddendum:
    """Create or change the draft addendum of an academy (its Principal, or HR / the CEO)."""
    if not may_draft_addendum(actor, academy):
        raise TransitionNotAllowed("only the academy's Principal, HR or the CEO may do this")
    if academy.is_central:
        raise PolicyError("addenda are for academies, not the central team")
    text = text.strip()
    if not text:
        raise PolicyError("the addendum is empty")
    with transaction.atomic():
        locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        addendum = AcademyAddendum.objects.filter(version=locked, academy=academy).first()
        if locked.status in FROZEN_VERSION_STATUSES:
            raise PolicyImmutable(
                f"version {locked.label} is {locked.get_status_display().lower()}; addenda are "
                "approved with their version, so start a new draft of the policy to change one"
            )
        before = addendum.text if addendum else ""
        if addendum is None:
            addendum = AcademyAddendum(version=locked, academy=academy)
        addendum.text, addendum.status, addendum.drafted_by = text, A.DRAFT, actor
        addendum.approved_by, addendum.approved_at, addendum.content_hash = None, None, ""
        addendum.save()
        audit_log(
            action="policies.addendum_saved", actor=actor, obj=addendum, request=request,
            summary=f"Saved the {academy} addendum to {locked}",
            changes={"text": [before, text]},
        )
    return addendum


def addendum_transition(
    *, addendum: AcademyAddendum, to_status: str, actor, reason: str = "", request=None
) -> AcademyAddendum:
    with transaction.atomic():
        locked = AcademyAddendum.objects.select_for_update().select_related(
            "version__policy", "academy"
        ).get(pk=addendum.pk)
        move = ADDENDUM_TRANSITIONS.get((locked.status, to_status))
        if move is None:
            raise TransitionNotAllowed(
                f"an addendum that is {locked.get_status_display().lower()} cannot become "
                f"{to_status}"
            )
        permission, label = move
        allowed = (may_draft_addendum(actor, locked.academy)
                   if permission == "policies.addendum_draft" else can(actor, permission))
        if not allowed:
            raise TransitionNotAllowed(f"you may not do this ({label.lower()})")
        if locked.version.status in FROZEN_VERSION_STATUSES:
            raise PolicyImmutable(
                f"version {locked.version.label} is "
                f"{locked.version.get_status_display().lower()}; its addenda can no longer change"
            )
        if to_status == A.DRAFT and not reason.strip():
            raise PolicyError("say why the addendum is returned")
        source = locked.status
        locked.status = to_status
        if to_status == A.APPROVED:
            locked.approved_by, locked.approved_at = actor, timezone.now()
            locked.content_hash = AcademyAddendum.hash_text(locked.text)
        locked.save()
        audit_log(
            action=f"policies.addendum_{to_status}", actor=actor, obj=locked, request=request,
            summary=f"{locked}: {label}. {reason}".strip(),
            changes={"status": [source, to_status], "reason": reason},
        )
        url = reverse("policies:version_record", args=[locked.version.policy.slug,
                                                      locked.version.label])
        if to_status == A.SUBMITTED:
            for person in _people_with_role(Role.CEO):
                notify(recipient=person, kind="policies.addendum_submitted",
                       title=f"{locked} awaits your approval", url=url, about=locked,
                       period=locked.updated_at.isoformat())
        elif locked.drafted_by is not None and locked.drafted_by != actor:
            notify(recipient=locked.drafted_by, kind=f"policies.addendum_{to_status}",
                   title=f"{locked}: {label.lower()}", body=reason, url=url, about=locked,
                   period=locked.updated_at.isoformat())
    return locked


# --------------------------------------------------------------------------- settings

SETTINGS_FIELDS = (
    "summary", "owner_role", "review_interval_months", "acknowledgement_due_days",
    "requires_acknowledgement", "audience_categories", "audience_roles",
)


def policy_update_settings(*, policy: Policy, actor, request=None, **values) -> Policy:
    """Change a policy's owner, review interval and audience; the next due date follows."""
    if not can(actor, "policies.manage"):
        raise TransitionNotAllowed("only HR, the CEO or an administrator may change a policy")
    unknown = set(values) - set(SETTINGS_FIELDS) - {"audience_academies"}
    if unknown:
        raise PolicyError(f"unknown settings: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        policy = Policy.objects.select_for_update().get(pk=policy.pk)
        changes: dict[str, list] = {}
        for field in SETTINGS_FIELDS:
            if field in values and values[field] != getattr(policy, field):
                changes[field] = [getattr(policy, field), values[field]]
                setattr(policy, field, values[field])
        policy.full_clean(exclude=["document", "slug"])
        policy.save()
        if "audience_academies" in values:
            before = sorted(policy.audience_academies.values_list("code", flat=True))
            policy.audience_academies.set(values["audience_academies"])
            after = sorted(a.code for a in values["audience_academies"])
            if before != after:
                changes["audience_academies"] = [before, after]
        if "review_interval_months" in changes and policy.reviews.exists():
            _refresh_review_dates(policy)
            changes["next_review_due"] = [None, policy.next_review_due.isoformat()]
        if changes:
            audit_log(
                action="policies.settings_changed", actor=actor, obj=policy, request=request,
                summary=f"Changed the settings of {policy.title}: {', '.join(changes)}",
                changes=_json_safe(changes),
            )
    return policy


# --------------------------------------------------------------------------- reviews


def policy_review_record(
    *, policy: Policy, reviewed_on: datetime.date, outcome: str, actor, reviewer=None,
    reviewer_name: str = "", unions_consulted: str = "", notes: str = "",
    version: PolicyVersion | None = None, request=None,
) -> PolicyReview:
    """Record a completed review; the next review falls due one interval after the latest."""
    if not can(actor, "policies.manage"):
        raise TransitionNotAllowed("only HR, the CEO or an administrator may record a review")
    if outcome not in PolicyReview.Outcome.values:
        raise PolicyError("choose the outcome of the review")
    if reviewed_on > timezone.localdate():
        raise PolicyError("the review date cannot be in the future")
    with transaction.atomic():
        policy = Policy.objects.select_for_update().get(pk=policy.pk)
        review = PolicyReview.objects.create(
            policy=policy, reviewed_on=reviewed_on, outcome=outcome, reviewer=reviewer,
            reviewer_name=reviewer_name or (reviewer.full_name if reviewer else ""),
            unions_consulted=unions_consulted, notes=notes, recorded_by=actor,
            version=version or policy.current_version(),
        )
        before = policy.next_review_due
        _refresh_review_dates(policy)
        audit_log(
            action="policies.review_recorded", actor=actor, obj=policy, request=request,
            summary=f"Recorded the review of {policy.title} on {reviewed_on:%d/%m/%Y}: "
            f"{review.get_outcome_display().lower()}",
            changes={"reviewed_on": reviewed_on.isoformat(), "outcome": outcome,
                     "next_review_due": [before.isoformat() if before else None,
                                         policy.next_review_due.isoformat()]},
        )
    return review
