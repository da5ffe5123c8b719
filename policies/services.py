"""Writes for the policy library. Import lives here; the lifecycle (``policies.lifecycle``),
drafts (``policies.drafts``), addenda (``policies.addenda``) and reviews (``policies.reviews``)
are re-exported so ``policies.services.<name>`` stays the one place callers use.

Every function is keyword-only, runs in one transaction and records an audit event. Domain
problems raise ``PolicyError`` (its message is written for the person who tried); views turn
it into a form error or a message.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import Role
from accounts.permissions import can
from audit.services import audit_log
from core import uploads
from policies.addenda import (  # noqa: F401 - the services API
    ADDENDA,
    FROZEN_VERSION_STATUSES,
    academies_without_addendum,
    addenda_carry_forward,
    addendum_moves_for,
    addendum_save,
    addendum_transition,
    may_draft_addendum,
)
from policies.common import (  # noqa: F401 - the services API
    RESERVED_LABELS,
    RESERVED_SLUGS,
    PolicyError,
    TransitionNotAllowed,
    _json_safe,
    _unique_label,
    _unique_slug,
    _write_clauses,
    add_months,
    content_hash_of,
    lower_first,
    owner_and_hr,
    version_url,
)
from policies.drafts import (  # noqa: F401 - the services API
    carry_forward,
    clause_add,
    clause_move,
    clause_remove,
    clause_update,
    version_cover_update,
    version_new_draft,
    version_relabel,
    version_renumber,
    version_replace_text,
)
from policies.lifecycle import (  # noqa: F401 - the services API
    VERSIONS,
    may_make,
    transitions_for,
    version_publish,
    version_transition,
)
from policies.models import Policy, PolicyVersion
from policies.parsing import (
    ParsedPolicy,
    ParseWarning,
    PolicyParseError,
    parse_policy_text,
    shrink_warnings,
)
from policies.reviews import (  # noqa: F401 - the services API
    SETTINGS_FIELDS,
    _refresh_review_dates,
    policy_review_record,
    policy_update_settings,
)

S = PolicyVersion.Status

__all__ = [
    "ImportResult",
    "PolicyError",
    "TransitionNotAllowed",
    "VERSIONS",
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
    "version_cover_update",
    "ImportNeedsConfirmation",
    "import_warnings",
]


# --------------------------------------------------------------------------- import


@dataclass
class ImportResult:
    policy: Policy
    version: PolicyVersion
    created: bool


class ImportNeedsConfirmation(PolicyError):
    """The document can be imported as written, once HR has seen and confirmed ``warnings``
    (``policies.parsing.ParseWarning``: each with its line)."""

    def __init__(self, warnings: list[ParseWarning]) -> None:
        count = len(warnings)
        super().__init__(f"the document needs checking ({count} warning{'s' * (count != 1)}); "
                         "import it as written only once you have checked "
                         f"{'them' if count != 1 else 'it'}")
        self.warnings = warnings


def import_warnings(parsed: ParsedPolicy, title: str = "") -> list[ParseWarning]:
    """The document's own warnings and those against the policy's current version."""
    warnings = list(parsed.warnings)
    title = " ".join((title or parsed.title).split())
    policy = Policy.objects.filter(title__iexact=title).first() if title else None
    current = policy.current_version() if policy else None
    if current is not None:
        warnings += shrink_warnings(parsed.clauses, current.clauses.count(), current.label)
    return warnings


def policy_import(
    *,
    text: str = "",
    parsed: ParsedPolicy | None = None,
    title: str = "",
    actor,
    request=None,
    owner_role: str | None = None,
    review_interval_months: int | None = None,
    source_name: str = "",
    confirm_warnings: bool = False,
) -> ImportResult:
    """Create a draft version (and the policy, if new) from a policy document: its text, or a
    document already read into a ``ParsedPolicy`` (clauses, cover sheet, warnings) by another
    reader.

    The same text imported again returns the existing version (``created`` False). Raises
    ``PolicyError`` (with ``line_number``) for a file that is not a policy we can read, and
    ``ImportNeedsConfirmation`` when the checks found something HR must confirm first
    (``confirm_warnings=True`` imports it as written; the warnings stay with the version).
    The policy's review dates do not move: the draft's cover sheet only proposes them until it
    is published. The current version's addenda and questions are carried forward.
    """
    if actor is not None and not can(actor, "policies.manage"):
        raise TransitionNotAllowed("only HR, the CEO or an administrator may import a policy")
    if parsed is None:
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
    warnings = import_warnings(parsed, title)
    if warnings and not confirm_warnings:
        raise ImportNeedsConfirmation(warnings)

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
                f"({lower_first(in_progress.get_status_display())}); replace its text in the "
                "draft editor, or abandon it first"
            )
        month = parsed.metadata.get("ceo_approval_month") or timezone.localdate()
        current = policy.current_version()
        version = PolicyVersion.objects.create(
            policy=policy,
            label=_unique_label(policy, f"{month:%Y-%m}"),
            cover=metadata,
            previous=current,
            created_by=actor,
            warnings=[w.as_dict() for w in warnings],
            warnings_confirmed_by=actor if warnings else None,
            warnings_confirmed_at=timezone.now() if warnings else None,
        )
        _write_clauses(version, parsed.clauses)
        carried = carry_forward(source=current, target=version, actor=actor)
        audit_log(
            action="policies.version_imported", actor=actor, obj=version, request=request,
            summary=f"Imported {policy.title} version {version.label} with "
            f"{len(parsed.clauses)} clauses" + (f" from {source_name}" if source_name else "")
            + (f"; {len(warnings)} warning(s) confirmed as written" if warnings else ""),
            changes={"clauses": len(parsed.clauses), "content_hash": version.content_hash,
                     "new_policy": created_policy, "cover": metadata,
                     "warnings_confirmed": [w.message for w in warnings], **carried},
        )
    return ImportResult(policy, version, created=True)


#: What a registered policy document may be (core.uploads checks the name against the content).
DOCUMENT_KINDS = (uploads.PDF, uploads.DOCX, uploads.ODT, uploads.RTF, uploads.TEXT)


class DocumentRejected(PolicyError):
    """The uploaded document is not one the portal accepts (the message says why)."""
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
    try:
        name, _kind = uploads.check_upload(document, allowed=DOCUMENT_KINDS,
                                           limit=MAX_DOCUMENT_BYTES)
    except uploads.UploadRejected as exc:
        raise DocumentRejected(str(exc)) from None
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
