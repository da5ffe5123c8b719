"""Turn a Pack row into a PDF: collect the sections, render HTML, lay it out with WeasyPrint.

Nothing here writes to the database except progress (through the `progress` callback); the
service layer (`services.pack_build`) stores the file and the row.
"""

from __future__ import annotations

import base64
import json
import logging
import mimetypes
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from auditpacks import sources
from auditpacks.models import Pack
from auditpacks.sources import Section
from core.dates import format_datetime

Progress = Callable[[int, str], None]

# WeasyPrint reports every layout step at INFO; the pack's own progress is enough.
for _noisy in ("weasyprint", "weasyprint.progress", "fontTools"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)

#: Inputs whose SHA-256 is printed in the pack and checked by verify_pack, in order.
CHAIN_HEAD_INPUT = "Record of the acknowledgement chain head (its position and hash)"
POLICY_INPUT_LABELS = {
    "policy_text": "Policy text (clauses)",
    "approval_record": "Approval record",
    "redline": "Changes from the previous version",
    "review": "Review history",
    "roster": "Acknowledgement roster",
    # Not the chain head itself (shown on the cover): the hash of the record read from it.
    "chain_head": CHAIN_HEAD_INPUT,
    "approvals": "Approvals and exceptions in force",
    "breach_statistics": "Breach statistics",
}
CASE_INPUT_LABELS = {"case": "Case record", "chain_head": CHAIN_HEAD_INPUT}


@dataclass
class BuiltPack:
    pdf: bytes
    pages: int
    inputs: dict[str, dict]
    chain_head_hash: str
    missing: list[str] = field(default_factory=list)


def _noop(percent: int, message: str) -> None:
    return None


def policy_sections(pack: Pack, progress: Progress = _noop) -> dict[str, Section]:
    version = pack.policy_version
    steps: list[tuple[str, Callable[[], Section]]] = [
        ("policy_text", lambda: sources.policy_text(version)),
        ("approval_record", lambda: sources.approval_record(version)),
        ("redline", lambda: sources.redline_section(version)),
        ("review", lambda: sources.review_section(version)),
        ("roster", lambda: sources.guarded(
            "roster", "Acknowledgement roster", "The acknowledgement roster",
            lambda: sources.roster_section(version))),
        ("chain_head", lambda: sources.guarded(
            "chain_head", "Acknowledgement chain head", "The acknowledgement chain",
            sources.chain_head)),
        ("approvals", lambda: sources.guarded(
            "approvals", "Approvals and exceptions in force", "The approvals register",
            lambda: sources.approvals_section(pack.date_from, pack.date_to))),
        ("breach_statistics", lambda: sources.guarded(
            "breach_statistics", "Breach statistics (anonymised)", "Breach case statistics",
            lambda: sources.breach_statistics_section(pack.date_from, pack.date_to))),
    ]
    sections: dict[str, Section] = {}
    for index, (key, make) in enumerate(steps):
        progress(5 + 35 * index // len(steps), f"Collecting: {POLICY_INPUT_LABELS[key].lower()}")
        sections[key] = make()
    return sections


def input_hashes(sections: dict[str, Section], labels: dict[str, str]) -> dict[str, dict]:
    return {
        key: {"label": labels[key], "sha256": sections[key].digest,
              "available": sections[key].available}
        for key in labels if key in sections
    }


def _pdf_meta(pack: Pack, inputs: dict[str, dict], chain: str) -> dict[str, str]:
    return {
        # WeasyPrint writes custom names without punctuation; keep them plain.
        "portaldocumentid": pack.document_id,
        "portalchainheadsha256": chain,
        "portalinputs": json.dumps({k: v["sha256"] for k, v in inputs.items()},
                                    sort_keys=True, separators=(",", ":")),
    }


def css_string(value: str) -> str:
    """A CSS string literal (for running headers in @page margin boxes)."""
    escaped = "".join(ch if ch.isalnum() or ch in " .,:;-·()/'" else f"\\{ord(ch):x} "
                      for ch in str(value))
    return f'"{escaped}"'


def page_css(left: str, document_id: str, register_head: bool = False) -> str:
    css = (
        "@page { @top-left { content: " + css_string(left) + "; }"
        " @bottom-left { content: " + css_string(f"Document ID {document_id}") + "; } }"
        " @page :first { @top-left { content: none; } }"
    )
    if register_head:
        # The compact register's column headings repeat at the top of every roster page.
        head = register_line([h for h, _ in REGISTER_COLUMNS]).rstrip()
        css += (
            " @page landscape { @top-right { content: none; width: 0; }"
            " @top-left { width: 100%; content: " + css_string(left) + " ' · ' string(academy)"
            " '\\A\\A' " + css_string(head) + "; white-space: pre; vertical-align: bottom;"
            " font-family: 'DejaVu Sans Mono', monospace; font-weight: bold; } }"
        )
    return css


def render_pdf(html: str, progress: Progress = _noop) -> tuple[bytes, int]:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    progress(50, "Laying out the pages")
    # Only data: URIs (embedded evidence images): a pack never reaches the network or disk.
    fetcher = URLFetcher(allowed_protocols={"data"})
    document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=fetcher).render()
    pages = len(document.pages)
    progress(85, f"Writing {pages} pages")
    return document.write_pdf(custom_metadata=True), pages


#: (heading, width in characters) of the compact register's columns.
REGISTER_COLUMNS = [("Name", 36), ("Category", 30), ("Acknowledged at", 24), ("Method", 33),
                    ("Status", 12)]
DEFAULT_TABLE_ROWS_MAX = 2500


def table_rows_max() -> int:
    """Rosters longer than this print as a compact register: a table cell costs WeasyPrint
    about five times what a line of text does, and 10,000 rows must lay out in under a minute.
    """
    value = getattr(settings, "AUDIT_PACK_TABLE_ROWS_MAX", None)
    if value in (None, ""):
        value = os.environ.get("AUDIT_PACK_TABLE_ROWS_MAX") or DEFAULT_TABLE_ROWS_MAX
    return int(value)


def _fit(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    return text.ljust(width) if len(text) <= width else text[: width - 1] + "…"


def register_line(values: list[str]) -> str:
    return "  ".join(_fit(v, w) for v, (_, w) in zip(values, REGISTER_COLUMNS, strict=True))


def roster_lines(rows: list[dict]) -> list[str]:
    """The roster as one fixed-width line per person (see table_rows_max)."""
    return [register_line([r["name"], r["category"], format_datetime(r["acknowledged_at"]) or "–",
                           r["method"] or "–", r["status_label"]]).rstrip() for r in rows]


def build_policy_pack(pack: Pack, progress: Progress = _noop) -> BuiltPack:
    sections = policy_sections(pack, progress)
    compact = False
    if sections["roster"].available:
        compact = sections["roster"].data["count"] > table_rows_max()
        if compact:
            for group in sections["roster"].data["academies"]:
                group["lines"] = roster_lines(group["rows"])
    inputs = input_hashes(sections, POLICY_INPUT_LABELS)
    chain = sections["chain_head"].data if sections["chain_head"].available else ""
    missing = [s.title for s in sections.values() if not s.available]
    version = pack.policy_version
    progress(42, "Preparing the document")
    html = render_to_string("auditpacks/pdf/policy_pack.html", {
        "pack": pack,
        "trust_name": settings.TRUST_NAME,
        "version": version,
        "policy": version.policy,
        "s": sections,
        "inputs": inputs,
        "chain_head": chain,
        "missing": missing,
        "generated_at": timezone.localtime(pack.started_at or timezone.now()),
        "meta": _pdf_meta(pack, inputs, chain),
        "compact_roster": compact,
        "roster_head": register_line([h for h, _ in REGISTER_COLUMNS]).rstrip(),
        "css": _css() + page_css(f"{settings.TRUST_NAME} · {version.policy.title} "
                                 f"{version.label} · audit pack", pack.document_id,
                                 register_head=compact),
    })
    pdf, pages = render_pdf(html, progress)
    return BuiltPack(pdf=pdf, pages=pages, inputs=inputs, chain_head_hash=chain, missing=missing)


# --------------------------------------------------------------------------- case packs


def case_sections(pack: Pack) -> dict[str, Section]:
    """The case record as the requester may see it (Http404 if they no longer may)."""
    get_case_for_user = sources.selector("breaches.selectors", "get_case_for_user")
    case_pack_context = sources.selector("breaches.selectors", "case_pack_context")
    case = get_case_for_user(pack.requested_by, pack.case_id)
    context = case_pack_context(case, pack.requested_by)
    return {
        "case": Section(key="case", title="Case record", data={"case": case, "context": context},
                        hashed=_case_hashable(context)),
        "chain_head": sources.guarded("chain_head", "Acknowledgement chain head",
                                      "The acknowledgement chain", sources.chain_head),
    }


def _case_hashable(context: dict) -> dict:
    """What the pack shows, as plain values: model rows become their field values."""
    return {key: _plain(value) for key, value in (context or {}).items()
            if key not in {"case", "request", "user", "now"}}


def _plain(value):
    from django.db.models import Model

    if isinstance(value, Model):
        return {f.attname: getattr(value, f.attname) for f in value._meta.concrete_fields}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if k != "path"}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def case_pack_html(pack: Pack) -> tuple[str, dict[str, Section], dict]:
    """The case pack as HTML (what the PDF prints), its sections and their input hashes."""
    sections = case_sections(pack)
    inputs = input_hashes(sections, CASE_INPUT_LABELS)
    chain = sections["chain_head"].data if sections["chain_head"].available else ""
    context = sections["case"].data["context"]
    case = sections["case"].data["case"]
    html = render_to_string("auditpacks/pdf/case_pack.html", {
        "pack": pack,
        "trust_name": settings.TRUST_NAME,
        "case": case,
        "c": context,
        "timeline": timeline_rows(case, context.get("timeline") or []),
        "evidence": [_evidence_item(item) for item in (context.get("evidence") or [])],
        "inputs": inputs,
        "chain_head": chain,
        "generated_at": timezone.localtime(pack.started_at or timezone.now()),
        "meta": _pdf_meta(pack, inputs, chain),
        "css": _css() + page_css(f"{settings.TRUST_NAME} · CONFIDENTIAL · case "
                                 f"{context.get('reference', pack.case_label)}",
                                 pack.document_id),
    })
    return html, sections, inputs


def build_case_pack(pack: Pack, progress: Progress = _noop) -> BuiltPack:
    progress(10, "Collecting the case record")
    html, sections, inputs = case_pack_html(pack)
    chain = sections["chain_head"].data if sections["chain_head"].available else ""
    progress(40, "Preparing the document")
    pdf, pages = render_pdf(html, progress)
    missing = [s.title for s in sections.values() if not s.available]
    return BuiltPack(pdf=pdf, pages=pages, inputs=inputs, chain_head_hash=chain, missing=missing)


def timeline_rows(case, events) -> list[dict]:
    """Timeline entries for print: names without email addresses, and a reporter who asked
    for their identity to be withheld shown as "The reporter" (the pack goes to a hearing)."""
    withheld = bool(getattr(case, "withhold_identity", False) or getattr(case, "anonymous", False))
    reporter_id = getattr(case, "reporter_id", None)
    rows = []
    for event in events:
        get = sources.field_of
        actor_id = get(event, "actor_id")
        if withheld and reporter_id and actor_id == reporter_id:
            who = "The reporter (identity withheld)"
        else:
            who = str(get(event, "actor_label") or "").split(" <")[0] or "System"
        rows.append({"at": get(event, "at"), "who": who, "summary": get(event, "summary", ""),
                     "reason": get(event, "reason", "")})
    return rows


IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
MAX_EMBEDDED_IMAGE_BYTES = 8 * 1024 * 1024


def _evidence_item(item) -> dict:
    """One evidence row as given by the case, plus the image as a data: URI for pictures."""
    get = sources.field_of
    row = dict(item) if isinstance(item, dict) else {}
    name = get(item, "name") or get(item, "original_name") or ""
    path = get(item, "path")
    content_type = get(item, "content_type") or (mimetypes.guess_type(str(name))[0] or "")
    data_uri = ""
    if content_type in IMAGE_TYPES and path and not get(item, "deleted"):
        try:
            file_path = Path(path)
            if file_path.stat().st_size <= MAX_EMBEDDED_IMAGE_BYTES:
                encoded = base64.b64encode(file_path.read_bytes()).decode()
                data_uri = f"data:{content_type};base64,{encoded}"
        except OSError:
            data_uri = ""
    row.update({
        "name": str(name), "sha256": get(item, "sha256") or "", "size": get(item, "size"),
        "content_type": content_type, "image": data_uri,
        "is_image": content_type in IMAGE_TYPES,
    })
    row.pop("path", None)
    return row


def _css() -> str:
    return (Path(__file__).resolve().parent / "pdf.css").read_text()
