"""What an import would create, read before anything is saved (issue 19: preview every import).

Reads only: the page shows this, and ``services.policy_import`` saves once HR confirms.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from policies import services
from policies.common import lower_first
from policies.cover import COVER_FIELDS, cover_changes, display
from policies.models import Policy, PolicyVersion
from policies.parsing import ParsedPolicy, ParseWarning, PolicyParseError, parse_policy_text
from policies.redline import redline, summary

#: Clause text longer than this is shortened in the preview (the full text is one click away).
SHORT_TEXT = 160


def text_digest(text: str) -> str:
    """The digest of a document's text as the page carries it (line endings and the outer
    blank lines do not count: a browser posts a hidden field back with CRLF)."""
    normalised = "\n".join(text.strip().splitlines())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


@dataclass
class ImportPreview:
    title: str
    parsed: ParsedPolicy
    policy: Policy | None
    current: PolicyVersion | None
    identical: PolicyVersion | None
    warnings: list[ParseWarning]
    #: (label, value as read, what the current version says when it differs, else None)
    cover: list[tuple[str, str, str | None]] = field(default_factory=list)
    changes: dict[str, int] | None = None

    @property
    def clause_count(self) -> int:
        return len(self.parsed.clauses)

    @property
    def rows(self) -> list[dict]:
        return [{
            "number": c.number, "level": c.level, "text": c.text,
            "short": c.text if len(c.text) <= SHORT_TEXT
            else c.text[:SHORT_TEXT].rsplit(" ", 1)[0] + "\u2026",
        } for c in self.parsed.clauses]

    @property
    def change_line(self) -> str:
        """One line: "2 clauses changed, 1 added, 0 removed, 12 moved (renumbered), 78
        unchanged"."""
        if self.changes is None:
            return ""
        c = self.changes
        return (f"{c['changed']} clause{'s' * (c['changed'] != 1)} changed, {c['added']} added, "
                f"{c['removed']} removed, {c['moved']} moved (renumbered), "
                f"{c['unchanged']} unchanged")


def build_preview(text: str, title: str = "") -> ImportPreview:
    """Read ``text`` as ``services.policy_import`` would, without saving anything.

    Raises ``services.PolicyError`` (with ``line_number``) for what the import would refuse:
    text that is not a policy, no title, a version of the policy already in progress."""
    try:
        parsed = parse_policy_text(text)
    except PolicyParseError as error:
        raise services.PolicyError(error.message, error.line_number) from None
    title = " ".join((title or parsed.title).split())
    if not title:
        raise services.PolicyError("the document has no title line; give the policy a title")
    digest = services.content_hash_of((c.number, c.text) for c in parsed.clauses)
    identical = (PolicyVersion.objects.filter(content_hash=digest).select_related("policy")
                 .order_by("created_at").first())
    policy = Policy.objects.filter(title__iexact=title).first()
    current = policy.current_version() if policy else None
    if identical is None and policy is not None:
        in_progress = policy.versions.filter(status__in=PolicyVersion.IN_PROGRESS).first()
        if in_progress is not None:
            raise services.PolicyError(
                f"{policy.title} already has version {in_progress.label} in progress "
                f"({lower_first(in_progress.get_status_display())}); replace its text in the "
                "draft editor, or abandon it first"
            )
    preview = ImportPreview(
        title=policy.title if policy else title, parsed=parsed, policy=policy, current=current,
        identical=identical, warnings=[] if identical else services.import_warnings(parsed, title),
    )
    old_cover = current.cover if current else None
    changed = {c.key: c.old for c in cover_changes(old_cover, parsed.metadata)
               if c.status != "unchanged"} if current else {}
    preview.cover = [(f.label, display(parsed.metadata, f.key), changed.get(f.key))
                     for f in COVER_FIELDS]
    if current is not None:
        preview.changes = summary(redline(current.clauses.order_by("order"), parsed.clauses))
    return preview
