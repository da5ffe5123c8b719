"""A policy version as a PDF (WeasyPrint, from templates/documents/version_pdf.html)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string

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
    key = _cache_key(version, addendum)
    if key is not None and (cached := cache.get(key)) is not None:
        return cached
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
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=fetcher).write_pdf()
    if key is not None:
        cache.set(key, pdf, CACHE_SECONDS)
    return pdf
