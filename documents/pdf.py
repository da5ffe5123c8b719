"""A policy version as a PDF (WeasyPrint, from templates/documents/version_pdf.html)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from core.caching import cached
from documents.writer import cover_rows, typed_number
from policies.models import PolicyVersion

CSS_PATH = Path(__file__).with_name("pdf.css")
#: Bump when the template or the CSS changes what a cached PDF looks like.
LAYOUT = "v2"
CACHE_SECONDS = 60 * 60 * 24 * 7


def _cache_key(version: PolicyVersion, addendum) -> str | None:
    """PDFs of versions whose text can no longer change are kept: laying out a policy is
    slow (docs/load.md), and public pages may be asked for it by anyone."""
    if version.status not in PolicyVersion.READABLE or not version.content_hash:
        return None
    extra = ""
    if addendum is not None:
        extra = hashlib.sha256(
            f"{addendum.pk}:{addendum.status}:{addendum.text}".encode()).hexdigest()[:16]
    return (f"documents:pdf:{LAYOUT}:{version.pk}:{version.content_hash}:{version.status}:"
            f"{extra}")


def _css_string(value: str) -> str:
    """A CSS string literal: anything but plain characters as a CSS escape."""
    return '"' + "".join(ch if ch.isalnum() or ch in " .,:;-·()/'" else f"\\{ord(ch):x} "
                         for ch in value) + '"'


def _footer_css(text: str) -> str:
    return "@page { @bottom-left { content: " + _css_string(text) + "; } }"


def version_pdf(version: PolicyVersion, clauses, *, addendum=None) -> bytes:
    """The PDF, kept by content (`core.caching.cached` under no namespace: its key changes with
    the text) for a version whose text can no longer change; laid out afresh otherwise."""
    key = _cache_key(version, addendum)
    if key is None:
        return _layout(version, clauses, addendum)
    return cached([], key, lambda: _layout(version, clauses, addendum), CACHE_SECONDS)


def _layout(version: PolicyVersion, clauses, addendum) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string("documents/version_pdf.html", {
        "policy": version.policy,
        "version": version,
        "clauses": [
            {"level": c.level, "number": c.number, "text": c.text,
             "appendix": c.level == 0 and c.number.isalpha(),
             "shown": typed_number(c.number, c.level)}
            for c in clauses
        ],
        "cover_rows": cover_rows(version.cover or {}),
        "addendum": addendum,
        "css": CSS_PATH.read_text() + _footer_css(
            f"{settings.TRUST_NAME} · {version.policy.title} · version {version.label}"),
        "trust_name": settings.TRUST_NAME,
    })
    # Nothing to fetch: the document is self-contained, so no URL is ever followed.
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=fetcher).write_pdf()
