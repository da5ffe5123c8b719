"""Drafts: starting the next version from the published one, and editing a draft clause by
clause (every edit is re-parsed by the import rules and renumbered)."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.permissions import can
from audit.services import audit_log
from policies import editing
from policies.addenda import addenda_carry_forward
from policies.carry import questions_carry_forward
from policies.common import (
    RESERVED_LABELS,
    PolicyError,
    TransitionNotAllowed,
    _json_safe,
    _unique_label,
    _write_clauses,
    lower_first,
)
from policies.cover import COVER_FIELDS, FIELD_BY_KEY, display, normalise_cover
from policies.models import Clause, Policy, PolicyImmutable, PolicyVersion
from policies.parsing import (
    PolicyParseError,
    parse_body,
    parse_clause_lines,
    render_policy_text,
)


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
                f"({lower_first(in_progress.get_status_display())})"
            )
        current = policy.current_version()
        if current is None:
            raise PolicyError("there is no published version to start from")
        draft = PolicyVersion.objects.create(
            policy=policy,
            label=_unique_label(policy, label.strip() or f"{timezone.localdate():%Y-%m}"),
            previous=current,
            cover=current.cover,  # the same cover sheet until HR changes its dates
            created_by=actor,
        )
        clauses = parse_clause_lines(render_policy_text(current.clauses.order_by("order")))
        _write_clauses(draft, clauses)
        carried = carry_forward(source=current, target=draft, actor=actor)
        audit_log(
            action="policies.version_drafted", actor=actor, obj=draft, request=request,
            summary=f"Started draft {draft.label} of {policy.title} from {current.label}",
            changes={"from": current.label, **carried},
        )
    return draft


def carry_forward(*, source: PolicyVersion | None, target: PolicyVersion, actor) -> dict:
    """What the next version takes from the current one besides its text: each academy's
    approved addendum (as a draft to confirm) and the comprehension questions (each to its
    clause by identity, flagged where the clause changed or went)."""
    if source is None:
        return {}
    addenda = addenda_carry_forward(source=source, target=target, actor=actor)
    questions = questions_carry_forward(source=source, target=target)
    return {"addenda_carried": [a.academy.name for a in addenda],
            "questions_carried": questions["carried"],
            "questions_to_check": questions["flagged"]}


def version_cover_update(*, version: PolicyVersion, values: dict, actor, request=None
                         ) -> PolicyVersion:
    """Change a draft's cover sheet (``policies.cover.COVER_FIELDS``; review dates as
    "September 2027" or dates)."""
    with transaction.atomic():
        locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        _require_draft(locked, actor)
        before = dict(locked.cover or {})
        try:
            cover = _json_safe(normalise_cover({**before, **values}))
        except ValueError as error:
            raise PolicyError(str(error)) from None
        changes = {f.key: [display(before, f.key), display(cover, f.key)] for f in COVER_FIELDS
                   if display(before, f.key) != display(cover, f.key)}
        if changes:
            locked.cover = cover
            locked.save(update_fields=["cover"])
            audit_log(action="policies.cover_changed", actor=actor, obj=locked, request=request,
                      summary=f"{locked.policy.title} {locked.label}: changed the cover sheet "
                      f"({', '.join(FIELD_BY_KEY[k].label for k in changes)})", changes=changes)
    version.refresh_from_db()
    return locked


def _require_draft(version: PolicyVersion, actor) -> None:
    if not can(actor, "policies.manage"):
        raise TransitionNotAllowed("only HR, the CEO or an administrator may edit a draft")
    if not version.is_editable:
        raise PolicyImmutable(
            f"version {version.label} is {lower_first(version.get_status_display())}; "
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
        clauses, warnings = parse_body(render_policy_text(_Pair(n, t) for n, t in pairs))
        # An edit may keep the document's own order, but never put a number out of sequence.
        new = [w for w in warnings if w.message not in _order_warnings(version)]
        if new:
            raise PolicyParseError(new[0].message.replace("usually go up", "must go up"))
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


def _order_warnings(version: PolicyVersion) -> set[str]:
    """The numbers out of sequence the draft already has (kept from its document)."""
    return {w.message for w in parse_body(render_policy_text(
        version.clauses.order_by("order")))[1]}


def version_replace_text(
    *, version: PolicyVersion, text: str, actor, request=None
) -> PolicyVersion:
    """Replace every clause of a draft from a plain-text body; errors point at the line."""
    _require_draft(version, actor)
    try:
        clauses, warnings = parse_body(text)
    except PolicyParseError as error:
        raise PolicyError(error.message, error.line_number) from None
    new = [w for w in warnings if w.message not in _order_warnings(version)]
    if new:  # the editor keeps an order the document already had, but makes no new one
        raise PolicyError(new[0].message.replace("usually go up", "must go up"),
                          new[0].line_number)
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
