"""Turn a Pack row into a PDF: collect the sections, render HTML, lay it out with WeasyPrint.

Nothing here writes to the database except progress (through the `progress` callback); the
service layer (`services.pack_build`) stores the file and the row.
"""

from __future__ import annotations

import base64
import json
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from auditpacks import sources
from auditpacks.models import Pack
from auditpacks.sources import Section

Progress = Callable[[int, str], None]

#: Inputs whose SHA-256 is printed in the pack and checked by verify_pack, in order.
POLICY_INPUT_LABELS = {
    "policy_text": "Policy text (clauses)",
    "approval_record": "Approval record",
    "redline": "Changes from the previous version",
    "review": "Review history",
    "roster": "Acknowledgement roster",
    "chain_head": "Acknowledgement chain head",
    "approvals": "Approvals and exceptions in force",
    "breach_statistics": "Breach statistics",
}
CASE_INPUT_LABELS = {"case": "Case record", "chain_head": "Acknowledgement chain head"}


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
        ("roster", lambda: sources.roster_section(version)),
        ("chain_head", sources.chain_head),
        ("approvals", lambda: sources.approvals_section(pack.date_from, pack.date_to)),
        ("breach_statistics",
         lambda: sources.breach_statistics_section(pack.date_from, pack.date_to)),
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
        "portal-document-id": pack.document_id,
        "portal-chain-head-sha256": chain,
        "portal-inputs": json.dumps({k: v["sha256"] for k, v in inputs.items()},
                                    sort_keys=True, separators=(",", ":")),
    }


def render_pdf(html: str, progress: Progress = _noop) -> tuple[bytes, int]:
    from weasyprint import HTML

    progress(50, "Laying out the pages")
    document = HTML(string=html, base_url=str(settings.BASE_DIR),
                    url_fetcher=_private_url_fetcher).render()
    pages = len(document.pages)
    progress(85, f"Writing {pages} pages")
    return document.write_pdf(), pages


def _private_url_fetcher(url: str, timeout: int = 10, ssl_context=None):
    """Only data: URIs and files under the project are fetched: a pack never reaches the network."""
    from weasyprint.urls import default_url_fetcher

    if url.startswith("data:"):
        return default_url_fetcher(url, timeout=timeout, ssl_context=ssl_context)
    raise ValueError(f"Audit packs do not fetch external resources ({url[:40]}…)")


def build_policy_pack(pack: Pack, progress: Progress = _noop) -> BuiltPack:
    sections = policy_sections(pack, progress)
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
        "css": _css(),
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
        "chain_head": sources.chain_head(),
    }


def _case_hashable(context: dict) -> dict:
    """Hash what the pack shows: the context minus live objects that do not serialise stably."""
    cleaned = {}
    for key, value in (context or {}).items():
        if key in {"case", "request", "user", "now"}:
            continue
        cleaned[key] = value
    return cleaned


def build_case_pack(pack: Pack, progress: Progress = _noop) -> BuiltPack:
    progress(10, "Collecting the case record")
    sections = case_sections(pack)
    inputs = input_hashes(sections, CASE_INPUT_LABELS)
    chain = sections["chain_head"].data if sections["chain_head"].available else ""
    context = sections["case"].data["context"]
    progress(40, "Preparing the document")
    html = render_to_string("auditpacks/pdf/case_pack.html", {
        "pack": pack,
        "trust_name": settings.TRUST_NAME,
        "case": sections["case"].data["case"],
        "c": context,
        "evidence": [_evidence_item(item) for item in (context.get("evidence") or [])],
        "inputs": inputs,
        "chain_head": chain,
        "generated_at": timezone.localtime(pack.started_at or timezone.now()),
        "meta": _pdf_meta(pack, inputs, chain),
        "css": _css(),
    })
    pdf, pages = render_pdf(html, progress)
    missing = [s.title for s in sections.values() if not s.available]
    return BuiltPack(pdf=pdf, pages=pages, inputs=inputs, chain_head_hash=chain, missing=missing)


IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
MAX_EMBEDDED_IMAGE_BYTES = 8 * 1024 * 1024


def _evidence_item(item) -> dict:
    """One evidence row: name, hash, and the image as a data: URI when it is a picture."""
    get = sources.field_of
    name = get(item, "name") or get(item, "original_name") or get(item, "filename") or ""
    path = get(item, "path")
    file_field = get(item, "file")
    if path is None and file_field is not None:
        path = getattr(file_field, "path", None)
    content_type = get(item, "content_type") or (mimetypes.guess_type(str(name))[0] or "")
    data_uri = ""
    if content_type in IMAGE_TYPES and path:
        try:
            file_path = Path(path)
            if file_path.stat().st_size <= MAX_EMBEDDED_IMAGE_BYTES:
                encoded = base64.b64encode(file_path.read_bytes()).decode()
                data_uri = f"data:{content_type};base64,{encoded}"
        except OSError:
            data_uri = ""
    return {
        "name": str(name),
        "sha256": get(item, "sha256") or get(item, "hash") or "",
        "size": get(item, "size"),
        "content_type": content_type,
        "uploaded_at": get(item, "uploaded_at") or get(item, "created_at"),
        "uploaded_by": get(item, "uploaded_by") or "",
        "description": get(item, "description") or "",
        "image": data_uri,
        "is_image": content_type in IMAGE_TYPES,
    }


def _css() -> str:
    return (Path(__file__).resolve().parent / "pdf.css").read_text()
