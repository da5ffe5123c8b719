"""Writes for audit packs: request, build, download, verify, clean up."""

from __future__ import annotations

import io
import json
import logging
import os
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accounts.permissions import can
from audit.services import audit_log
from auditpacks import build
from auditpacks.models import Pack
from auditpacks.storage import pack_dir, retention, sha256_bytes
from core.dates import format_date
from core.errors import Refused
from policies.models import Policy, PolicyVersion

logger = logging.getLogger(__name__)


class PackError(Refused):
    """A pack cannot be requested or checked as asked; the message says why, for the user."""


# --------------------------------------------------------------------------- requesting


def _queue_build(pack: Pack) -> None:
    from auditpacks.tasks import build_pack

    transaction.on_commit(lambda: build_pack.delay(pack.pk))


def pack_request_policy(
    *, actor, version: PolicyVersion | None = None, policy: Policy | None = None,
    date_from=None, date_to=None, request=None, queue: bool = True,
) -> Pack:
    """Ask for a policy audit pack; the PDF is built in the background."""
    if not can(actor, "auditpacks.policy_pack"):
        raise PermissionDenied("You may not generate policy audit packs.")
    if date_from and date_to and date_to < date_from:
        raise PackError("The end of the period must be on or after its start.")
    if version is None:
        if policy is None:
            raise PackError("Choose a policy version, or a policy and a period.")
        from auditpacks.sources import version_in_force

        on = date_to or timezone.localdate()
        version = version_in_force(policy, on)
        if version is None:
            raise PackError(f"No version of {policy.title} was published on or before "
                            f"{format_date(on)}.")
    if version.status in {PolicyVersion.Status.DRAFT, PolicyVersion.Status.WITHDRAWN}:
        raise PackError(f"Version {version.label} is {version.get_status_display().lower()}: "
                        "audit packs are for versions that went through approval.")
    with transaction.atomic():
        pack = Pack.objects.create(
            kind=Pack.Kind.POLICY, policy_version=version, date_from=date_from,
            date_to=date_to, requested_by=actor, progress_message="Waiting for a worker",
        )
        audit_log(action="auditpacks.pack_requested", actor=actor, obj=pack, request=request,
                  summary=f"Requested the audit pack for {version}",
                  changes={"document_id": pack.document_id, "version": version.label,
                           "date_from": str(date_from or ""), "date_to": str(date_to or "")})
        if queue:
            _queue_build(pack)
    return pack


def pack_request_case(*, actor, case_pk, request=None, queue: bool = True) -> Pack:
    """Ask for a case pack. Http404 for anyone who may not see the case."""
    from auditpacks.sources import SourceUnavailable, selector

    try:
        get_case_for_user = selector("breaches.selectors", "get_case_for_user")
        selector("breaches.selectors", "case_pack_context")
    except SourceUnavailable as exc:
        raise Http404("Breach cases are not available yet.") from exc
    case = get_case_for_user(actor, case_pk)  # raises Http404 for anyone else
    with transaction.atomic():
        pack = Pack.objects.create(
            kind=Pack.Kind.CASE, case_id=str(case.pk), case_label=str(case)[:200],
            requested_by=actor, progress_message="Waiting for a worker",
        )
        audit_log(action="auditpacks.pack_requested", actor=actor, obj=pack, request=request,
                  summary=f"Requested the case pack for {case}",
                  changes={"document_id": pack.document_id, "case": str(case.pk)})
        # The case's own history shows that a pack was made of it, by whom.
        audit_log(action="auditpacks.case_pack_requested", actor=actor, obj=case,
                  request=request, summary=f"Case pack {pack.document_id} requested",
                  changes={"document_id": pack.document_id})
        if queue:
            _queue_build(pack)
    return pack


# --------------------------------------------------------------------------- building


def _progress_writer(pack_id: int, also=None):
    def write(percent: int, message: str) -> None:
        Pack.objects.filter(pk=pack_id).update(
            progress=max(0, min(99, percent)), progress_message=message[:200]
        )
        if also is not None:
            also(percent, message)
    return write


def pack_build(*, pack_id: int, on_progress=None) -> Pack | None:
    """Build the PDF of a queued pack. Only one worker can claim a pack; others return None."""
    now = timezone.now()
    claimed = Pack.objects.filter(pk=pack_id, status=Pack.Status.QUEUED).update(
        status=Pack.Status.RUNNING, started_at=now, progress=1,
        progress_message="Started",
    )
    if not claimed:
        return None
    pack = Pack.objects.select_related("policy_version__policy", "requested_by").get(pk=pack_id)
    progress = _progress_writer(pack_id, on_progress)
    try:
        if pack.kind == Pack.Kind.POLICY:
            built = build.build_policy_pack(pack, progress)
        else:
            built = build.build_case_pack(pack, progress)
    except Http404:
        return _fail(pack, "The person who asked for this pack may no longer see the case.")
    except Exception as exc:  # a failed build must be visible on the page, not lost in a log
        logger.exception("Audit pack %s failed", pack.document_id)
        return _fail(pack, f"The pack could not be built ({exc.__class__.__name__}). "
                           "Please try again; if it fails again, tell the portal administrator.")
    progress(95, "Storing the file")
    file_name = f"{pack.document_id}.pdf"
    final = pack_dir() / file_name
    temporary = final.with_suffix(".part")
    temporary.write_bytes(built.pdf)
    os.replace(temporary, final)
    finished = timezone.now()
    with transaction.atomic():
        Pack.objects.filter(pk=pack.pk).update(
            status=Pack.Status.READY, progress=100, progress_message="Ready",
            finished_at=finished, expires_at=finished + retention(), file_name=file_name,
            file_sha256=sha256_bytes(built.pdf), file_size=len(built.pdf),
            page_count=built.pages, inputs=built.inputs, chain_head_hash=built.chain_head_hash,
            missing_sections=built.missing,
        )
        pack.refresh_from_db()
        audit_log(action="auditpacks.pack_built", actor=pack.requested_by, obj=pack,
                  summary=f"{pack.get_kind_display()} {pack.document_id} built: "
                          f"{built.pages} pages",
                  changes={"file_sha256": pack.file_sha256, "pages": built.pages,
                           "missing_sections": built.missing})
        if pack.kind == Pack.Kind.CASE:
            _log_on_case(pack, "auditpacks.case_pack_generated",
                         f"Case pack {pack.document_id} generated ({built.pages} pages)")
        _notify_ready(pack)
    return pack


def _notify_ready(pack: Pack) -> None:
    """Tell the person who asked: a large pack can take a minute and they may have moved on."""
    from django.urls import reverse

    from notifications.services import notify

    notify(
        recipient=pack.requested_by, kind="auditpacks.pack_ready",
        title=f"Your {pack.get_kind_display().lower()} is ready: {pack.subject}",
        body=(f"{pack.document_id}, {pack.page_count} pages. It can be downloaded until "
              f"{format_date(timezone.localtime(pack.expires_at))}."),
        url=reverse("auditpacks:detail", args=[pack.document_id]), about=pack,
    )


def _log_on_case(pack: Pack, action: str, summary: str) -> None:
    from auditpacks.sources import selector

    get_case_for_user = selector("breaches.selectors", "get_case_for_user")
    try:
        case = get_case_for_user(pack.requested_by, pack.case_id)
    except Http404:
        return
    audit_log(action=action, actor=pack.requested_by, obj=case, summary=summary,
              changes={"document_id": pack.document_id, "file_sha256": pack.file_sha256})


def _fail(pack: Pack, message: str) -> Pack:
    with transaction.atomic():
        Pack.objects.filter(pk=pack.pk).update(
            status=Pack.Status.FAILED, finished_at=timezone.now(), error=message,
            progress_message="Failed",
        )
        pack.refresh_from_db()
        audit_log(action="auditpacks.pack_failed", actor=pack.requested_by, obj=pack,
                  summary=message)
    return pack


def pack_retry(*, pack: Pack, actor, request=None) -> Pack:
    """Queue a failed pack again (a new attempt with the same document ID)."""
    if pack.status != Pack.Status.FAILED:
        raise PackError("Only a pack that failed can be tried again.")
    with transaction.atomic():
        Pack.objects.filter(pk=pack.pk, status=Pack.Status.FAILED).update(
            status=Pack.Status.QUEUED, progress=0, error="",
            progress_message="Waiting for a worker",
        )
        audit_log(action="auditpacks.pack_retried", actor=actor, obj=pack, request=request,
                  summary=f"Asked to build {pack.document_id} again")
        _queue_build(pack)
    pack.refresh_from_db()
    return pack


# --------------------------------------------------------------------------- downloads, cleanup


def pack_download_record(*, pack: Pack, actor, request=None) -> None:
    with transaction.atomic():
        audit_log(action="auditpacks.pack_downloaded", actor=actor, obj=pack, request=request,
                  summary=f"Downloaded {pack.document_id}",
                  changes={"file_sha256": pack.file_sha256})
        if pack.kind == Pack.Kind.CASE:
            try:
                from auditpacks.sources import selector

                case = selector("breaches.selectors", "get_case_for_user")(actor, pack.case_id)
            except Exception:  # noqa: BLE001 - the pack row already records the download
                case = None
            if case is not None:
                audit_log(action="auditpacks.case_pack_downloaded", actor=actor, obj=case,
                          request=request, summary=f"Case pack {pack.document_id} downloaded")


def packs_cleanup(*, now=None) -> int:
    """Delete the files of packs past their keep-until time; the rows stay for verification."""
    now = now or timezone.now()
    removed = 0
    for pack in Pack.objects.expired(now):
        path = pack.file_path
        if path is not None:
            try:
                path.unlink(missing_ok=True)
            except OSError:
                logger.exception("Could not delete %s", path)
                continue
        with transaction.atomic():
            changed = Pack.objects.filter(pk=pack.pk, status=Pack.Status.READY).update(
                status=Pack.Status.EXPIRED, progress_message="File deleted after the keep period",
            )
            if changed:
                removed += 1
                audit_log(action="auditpacks.pack_expired", obj=pack,
                          summary=f"File of {pack.document_id} deleted after its keep period")
    # Failed builds can leave partial files behind.
    for part in pack_dir().glob("*.part"):
        if part.stat().st_mtime < (now - retention()).timestamp():
            part.unlink(missing_ok=True)
    return removed


# --------------------------------------------------------------------------- verification

DOCUMENT_ID_RE = re.compile(r"Document ID:?\s*(AP-\d{8}-[A-Z0-9]{8})")
HASH_LINE_RE = re.compile(r"\b([a-z_]+)\s+([0-9a-f]{64})\b")


@dataclass
class Check:
    key: str
    label: str
    stated: str
    current: str
    ok: bool


@dataclass
class Verification:
    ok: bool = False
    document_id: str = ""
    pack: Pack | None = None
    #: The uploaded bytes are exactly those the portal issued.
    file_matches: bool | None = None
    checks: list[Check] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def headline(self) -> str:
        if self.ok:
            return "This pack is genuine and still matches the portal's records."
        if self.pack is None:
            return "This file could not be matched to a pack issued by this portal."
        return "This pack no longer matches the portal's records."


def read_pack_claims(data: bytes) -> tuple[str, dict[str, str]]:
    """The document ID and input hashes a PDF states: metadata first, its text otherwise."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        metadata = reader.metadata or {}
    except (PdfReadError, ValueError, OSError, KeyError) as exc:
        raise PackError("The file is not a readable PDF.") from exc
    document_id = str(metadata.get("/portaldocumentid") or "")
    hashes: dict[str, str] = {}
    raw = metadata.get("/portalinputs")
    if raw:
        try:
            hashes = {str(k): str(v) for k, v in json.loads(str(raw)).items()}
        except (ValueError, AttributeError):
            hashes = {}
    if not document_id or not hashes:
        text = _text_of(reader)
        if not document_id and (match := DOCUMENT_ID_RE.search(text)):
            document_id = match.group(1)
        if not hashes:
            known = set(build.POLICY_INPUT_LABELS) | set(build.CASE_INPUT_LABELS)
            hashes = {k: v for k, v in HASH_LINE_RE.findall(text) if k in known}
    return document_id, hashes


def _text_of(reader) -> str:
    pages = reader.pages
    chosen = list(pages[:3]) + list(pages[-3:]) if len(pages) > 6 else list(pages)
    try:
        return "\n".join(page.extract_text() or "" for page in chosen)
    except Exception:  # noqa: BLE001 - a damaged page just means less text to search
        return ""


def current_inputs(pack: Pack) -> dict[str, dict]:
    if pack.kind == Pack.Kind.POLICY:
        sections = build.policy_sections(pack)
        return build.input_hashes(sections, build.POLICY_INPUT_LABELS)
    try:
        sections = build.case_sections(pack)
    except Http404:
        return {}
    return build.input_hashes(sections, build.CASE_INPUT_LABELS)


def pack_verify(*, data: bytes, actor=None, request=None, file_name: str = "") -> Verification:
    """Check an uploaded pack against the database and say whether it still matches."""
    result = Verification()
    document_id, stated = read_pack_claims(data)
    result.document_id = document_id
    if not document_id:
        result.problems.append("The PDF carries no Policy Portal document ID: it is not an audit "
                               "pack from this portal, or it has been re-created from a copy.")
        return _record_verification(result, actor, request, file_name)
    pack = Pack.objects.select_related("policy_version__policy", "requested_by").filter(
        document_id=document_id).first()
    if pack is None:
        result.problems.append(f"No pack with document ID {document_id} was issued by this "
                               "portal.")
        return _record_verification(result, actor, request, file_name)
    result.pack = pack
    if pack.file_sha256:
        result.file_matches = sha256_bytes(data) == pack.file_sha256
        if not result.file_matches:
            result.problems.append("The file is not byte-for-byte the one the portal issued: "
                                   "it has been edited or re-saved since.")
    if stated != {k: v["sha256"] for k, v in pack.inputs.items()}:
        result.problems.append("The hashes printed in the file differ from those recorded "
                               "when it was issued.")
    now = current_inputs(pack)
    for key, item in pack.inputs.items():
        current = now.get(key, {}).get("sha256", "")
        check = Check(key=key, label=item.get("label", key), stated=stated.get(key, ""),
                      current=current, ok=bool(current) and current == item["sha256"])
        result.checks.append(check)
        if not check.ok:
            result.problems.append(f"{check.label} has changed since the pack was built.")
    chain_problem = _chain_problem()
    if chain_problem:
        result.problems.append(chain_problem)
    result.ok = not result.problems
    return _record_verification(result, actor, request, file_name)


def _chain_problem() -> str:
    """Walk the acknowledgement hash chain: an edited record anywhere breaks it."""
    from auditpacks.sources import SourceUnavailable, selector

    try:
        chain_verify = selector("acknowledgements.chain", "chain_verify")
    except SourceUnavailable:
        return ""
    outcome = chain_verify()
    if outcome.ok:
        return ""
    return (f"The acknowledgement records have been tampered with: record "
            f"#{outcome.broken_sequence} fails its check ({outcome.problem}).")


def _record_verification(result: Verification, actor, request, file_name: str) -> Verification:
    with transaction.atomic():
        audit_log(
            action="auditpacks.pack_verified", actor=actor, obj=result.pack, request=request,
            summary=("Verified: matches" if result.ok else "Verified: does NOT match")
            + (f" ({result.document_id})" if result.document_id else ""),
            changes={"ok": result.ok, "document_id": result.document_id,
                     "file_name": file_name[:200], "problems": result.problems},
        )
    return result
