"""Clause text as HTML: escaped, mentions of other policies linked, search terms marked."""

import re

from django import template
from django.template.loader import render_to_string

register = template.Library()


def _marked(text: str, query: re.Pattern | None) -> list[tuple[str, bool]]:
    """`text` cut into (part, is a match of the search) pieces."""
    if query is None:
        return [(text, False)]
    parts, at = [], 0
    for match in query.finditer(text):
        parts += [(text[at:match.start()], False), (match.group(0), True)]
        at = match.end()
    return [(part, marked) for part, marked in [*parts, (text[at:], False)] if part]


def clause_pieces(text: str, links: dict[str, str] | None = None, query: str = "") -> list:
    """A clause's text as pieces for `policies/_clause_text.html`: mentions of other policies
    (with the URL each links to) and plain text, each cut where the search term matches."""
    links = links or {}
    search = re.compile(re.escape(query), re.IGNORECASE) if query else None
    if not links:
        return [{"url": "", "parts": _marked(text, search)}]
    by_title = {title.lower(): url for title, url in links.items()}
    mention = re.compile(
        r"\b(" + "|".join(re.escape(t) for t in sorted(by_title, key=len, reverse=True)) + r")\b",
        re.IGNORECASE,
    )
    pieces, at = [], 0
    for match in mention.finditer(text):
        if match.start() > at:
            pieces.append({"url": "", "parts": _marked(text[at:match.start()], search)})
        pieces.append({"url": by_title[match.group(0).lower()],
                       "parts": _marked(match.group(0), search)})
        at = match.end()
    if at < len(text):
        pieces.append({"url": "", "parts": _marked(text[at:], search)})
    return pieces


@register.simple_tag
def clause_html(text: str, links: dict | None = None, query: str = "") -> str:
    """Clause text as HTML through `policies/_clause_text.html` (which escapes it)."""
    return render_to_string("policies/_clause_text.html",
                            {"pieces": clause_pieces(text, links, query)})


@register.filter
def status_class(status: str) -> str:
    return {
        "published": "status--ok", "approved": "status--ok", "ratified": "status--ok",
        "superseded": "status--muted", "withdrawn": "status--muted",
        "overdue": "status--bad", "due_30": "status--warn", "due_90": "status--warn",
    }.get(status, "")


DETAIL_LABELS = {
    "bodies": "Consulted with", "comments": "What the unions said", "meeting": "Meeting",
    "change_kind": "Kind of change", "change_summary": "Change summary",
    "warnings_shown": "Import warnings shown to the approver",
    "academies_without_addendum": "No approved addendum",
}


@register.filter
def detail_value(value) -> str:
    """A lifecycle event's detail as a person reads it: lists joined, not as Python writes them."""
    if isinstance(value, list | tuple):
        return "; ".join(str(item) for item in value)
    return str(value)


@register.filter
def detail_label(key: str) -> str:
    return DETAIL_LABELS.get(key, key.replace("_", " ").capitalize())


@register.filter
def lower_first(text) -> str:
    """"Approved by the CEO" -> "approved by the CEO" (``|lower`` would lose the names' case)."""
    from policies.common import lower_first as lower

    return lower(str(text))


@register.simple_tag
def review_clause_phrase(policy=None) -> str:
    """"clause 12.1 of version 2025-11": the review clause of the policy's current version
    (never a number written into a page). Without a policy: that of the one published policy
    that has a review clause, or "" when there is none or more than one."""
    from policies.models import Policy, PolicyVersion
    from policies.selectors import review_clause

    if policy is None:
        versions = [v for v in PolicyVersion.objects.filter(status=PolicyVersion.Status.PUBLISHED)
                    .select_related("policy") if review_clause(v) is not None]
        if len(versions) != 1:
            return ""
        version = versions[0]
    else:
        version = policy.current_version() if isinstance(policy, Policy) else None
    clause = review_clause(version)
    if clause is None:
        return ""
    return f"clause {clause.number} of version {version.label}"
