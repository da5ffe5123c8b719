"""Clause text as HTML: escaped, mentions of other policies linked, search terms marked."""

import html
import re

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

_TAG_RE = re.compile(r"(<[^>]+>)")


def _link_mentions(escaped: str, links: dict[str, str]) -> str:
    if not links:
        return escaped
    by_title = {html.escape(title).lower(): url for title, url in links.items()}
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(t) for t in sorted(by_title, key=len, reverse=True)) + r")\b",
        re.IGNORECASE,
    )
    return pattern.sub(
        lambda m: f'<a href="{html.escape(by_title[m.group(0).lower()])}" '
        f'class="policy-mention">{m.group(0)}</a>',
        escaped,
    )


def _mark(escaped: str, query: str) -> str:
    if not query:
        return escaped
    pattern = re.compile(re.escape(html.escape(query)), re.IGNORECASE)
    parts = _TAG_RE.split(escaped)
    return "".join(
        part if _TAG_RE.fullmatch(part) else pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>",
                                                         part)
        for part in parts
    )


@register.simple_tag
def clause_html(text: str, links: dict | None = None, query: str = "") -> str:
    return mark_safe(_mark(_link_mentions(html.escape(text), links or {}), query))


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
