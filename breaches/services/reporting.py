"""Making a report: routing, drafts and sending."""

import datetime
import hashlib
import secrets
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone

from accounts.models import Academy, Role, User
from audit.services import audit_log
from breaches import workdays
from breaches.evidence import store_upload
from breaches.imagemeta import CLEANABLE, ImageNotCleaned, strip_image_metadata
from breaches.models import (
    Case,
    Evidence,
    ReceivedVia,
    ReportDraft,
    SpentDraftToken,
    State,
)
from breaches.pdfmeta import PdfNotCleaned, strip_pdf_metadata
from breaches.services.common import _event, case_url, current_ceo, principal_of
from breaches.workflow import CaseError
from notifications.services import notify

# --------------------------------------------------------------------------- routing

def route_report(*, concerned: User | None, academy: Academy | None, to_ceo: bool = False
                 ) -> tuple[User, Academy]:
    """Who receives a report, and which academy it concerns.

    The Principal of the concerned person's academy; the CEO when it concerns a Principal or
    someone in the central team, when the reporter chose the CEO, or when the academy has no
    Principal in post. Never the person concerned: a report about the CEO goes to HR.
    """
    if concerned is not None:
        academy = concerned.academy or academy
    if academy is None:
        academy = Academy.objects.filter(is_central=True).first()
    if academy is None:
        raise CaseError("No academy is set up to receive reports. Tell the administrator.")
    receiver = None
    central_person = concerned is not None and concerned.is_central
    concerns_principal = concerned is not None and concerned.role == Role.PRINCIPAL
    if not (to_ceo or central_person or concerns_principal):
        receiver = principal_of(academy)
    if receiver is None or receiver == concerned:
        receiver = current_ceo()
    if receiver is None or receiver == concerned:
        receiver = User.objects.current().filter(role=Role.HR, is_active=True).exclude(
            pk=getattr(concerned, "pk", None)
        ).order_by("pk").first()
    if receiver is None:
        raise CaseError("Nobody is set up to receive reports. Tell the administrator.")
    return receiver, academy


def _next_reference(now: datetime.datetime) -> str:
    prefix = f"R-{now:%Y}-"
    last = (Case.objects.filter(reference__startswith=prefix)
            .annotate(width=Length("reference")).order_by("-width", "-reference")
            .values_list("reference", flat=True).first())
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


# --------------------------------------------------------------------------- drafts

def draft_for(owner: User, kind: str = ReportDraft.Kind.OWN) -> ReportDraft | None:
    return ReportDraft.objects.filter(owner=owner, kind=kind).first()


class DraftSpent(CaseError):
    """The form this request comes from was already sent (or its draft deleted)."""


def _lock_owner(owner: User) -> None:
    """Serialise draft writes and sending for one person (PostgreSQL row lock; SQLite
    serialises writers anyway), so a late autosave cannot slip in beside a send."""
    User.objects.select_for_update().filter(pk=owner.pk).values_list("pk", flat=True).first()


def draft_token_spent(token) -> bool:
    return bool(token) and SpentDraftToken.objects.filter(token=token).exists()


def _spend(*tokens) -> None:
    today = timezone.localdate()
    for token in {t for t in tokens if t}:
        SpentDraftToken.objects.get_or_create(token=token, defaults={"spent_on": today})


def draft_save(*, owner: User, data: dict[str, Any], kind: str = ReportDraft.Kind.OWN,
               token=None) -> ReportDraft:
    """Keep what the person typed. Only plain strings and lists of strings are stored.

    `token` is the form page's draft token: a page whose report was already sent (or whose
    draft was deleted) raises DraftSpent and writes nothing, whatever order requests arrive in.
    """
    clean: dict[str, Any] = {}
    for key, value in data.items():
        if key in {"csrfmiddlewaretoken", "action", "draft_token"} or key.startswith(
                "evidence_"):
            continue
        if isinstance(value, list):
            clean[key] = [str(v)[:10000] for v in value][:200]
        else:
            clean[key] = str(value)[:20000]
    with transaction.atomic():
        _lock_owner(owner)
        if draft_token_spent(token):
            raise DraftSpent("This report has already been sent or its draft deleted; "
                             "nothing more is saved from that page.")
        create = {"data": clean}
        if token:
            create["token"] = token
        draft, _ = ReportDraft.objects.update_or_create(
            owner=owner, kind=kind, defaults={"data": clean}, create_defaults=create,
        )
    return draft


def draft_discard(*, owner: User, kind: str = ReportDraft.Kind.OWN, token=None) -> None:
    with transaction.atomic():
        _lock_owner(owner)
        draft = draft_for(owner, kind)
        _spend(token, draft.token if draft else None)
        if draft is None:
            return
        files = [e.path for e in draft.evidence.all()]
        draft.delete()
        transaction.on_commit(lambda: [p.unlink(missing_ok=True) for p in files])


def draft_attach_evidence(*, owner: User, upload, description: str = "",
                          captured_at: datetime.datetime | None = None, site: str = "",
                          kind: str = ReportDraft.Kind.OWN, data: dict | None = None,
                          token=None) -> Evidence:
    if draft_token_spent(token):
        raise DraftSpent("This report has already been sent; start a new report.")
    stored = store_upload(upload)  # raises UploadRejected before anything is kept
    try:
        with transaction.atomic():
            draft = draft_save(owner=owner, data=data or {}, kind=kind, token=token) \
                if data is not None else draft_for(owner, kind) or draft_save(
                    owner=owner, data={}, kind=kind, token=token)
            return Evidence.objects.create(
                draft=draft, uploaded_by=owner, original_name=stored.original_name,
                stored_name=stored.stored_name, content_type=stored.kind.content_type,
                kind_label=stored.kind.label, size=stored.size, sha256=stored.sha256,
                description=description[:300], captured_at=captured_at, site=site[:300],
            )
    except BaseException:
        Evidence(stored_name=stored.stored_name).path.unlink(missing_ok=True)
        raise


def draft_remove_evidence(*, owner: User, evidence_id: int) -> None:
    with transaction.atomic():
        evidence = Evidence.objects.filter(pk=evidence_id, draft__owner=owner).first()
        if evidence is None:
            return
        path = evidence.path
        evidence.delete()
        transaction.on_commit(lambda: path.unlink(missing_ok=True))


# --------------------------------------------------------------------------- reporting

def _without_metadata(data: bytes, content_type: str) -> bytes | None:
    """The file without what may identify its author, or None for a type kept as it is."""
    if content_type in CLEANABLE:
        return strip_image_metadata(data, content_type)
    if content_type == "application/pdf":
        return strip_pdf_metadata(data)
    return None


def _anonymise_evidence(case: Case) -> None:
    """An anonymous report's files: pictures are rewritten without their metadata (EXIF:
    camera, phone, owner, place, time; XMP; comments; text chunks), PDFs without their
    properties, XMP and comment authors; every file gets a neutral name ("evidence-1.jpg"),
    and the SHA-256 and size are those of what is stored. Saved web pages are kept as they are
    (the form says so). A file that cannot be cleaned stops the report rather than being
    kept."""
    written: list = []
    replaced: list = []
    try:
        for number, evidence in enumerate(case.evidence.order_by("pk"), start=1):
            ext = Path(evidence.stored_name).suffix
            try:
                clean = _without_metadata(evidence.path.read_bytes(), evidence.content_type)
            except (ImageNotCleaned, PdfNotCleaned) as error:
                raise CaseError(
                    f"“{evidence.original_name}” could not be cleaned of the details that "
                    "may identify you (camera, phone, place, author), so the anonymous report "
                    "was not sent. Remove that file or send a screenshot of it instead."
                ) from error
            if clean is not None:
                stored_name = f"{secrets.token_hex(16)}{ext}"
                target = evidence.path.parent / stored_name
                with open(target, "xb") as out:
                    out.write(clean)
                target.chmod(0o600)
                written.append(target)
                replaced.append(evidence.path)
                evidence.stored_name = stored_name
                evidence.size = len(clean)
                evidence.sha256 = hashlib.sha256(clean).hexdigest()
            evidence.original_name = f"evidence-{number}{ext}"
            evidence.save(update_fields=["stored_name", "size", "sha256", "original_name"])
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    # The originals go once the report commits (if it does not, they stay with the draft).
    transaction.on_commit(lambda: [p.unlink(missing_ok=True) for p in replaced])


def report_submit(
    *,
    reporter: User,
    data: dict[str, Any],
    draft_kind: str = ReportDraft.Kind.OWN,
    logged_by: User | None = None,
    request=None,
    draft_token=None,
) -> Case:
    """Turn a filled-in report into a case, route it and tell the receiver.

    `reporter` is the signed-in person who submits (for a report logged on someone's behalf,
    the person logging it; `data["on_behalf_of"]`/`data["reporter_name"]` say who reported).
    The case and its notifications commit together: if the broker is down, the notification
    rows are kept and sent by the next sweep, and the report is never lost.
    """
    anonymous = bool(data.get("anonymous"))
    concerned: User | None = data.get("concerned")
    if logged_by is not None and concerned is not None and concerned.pk == logged_by.pk:
        raise CaseError("You cannot log a report about yourself: ask your Principal or HR to "
                        "log it.")
    if concerned is not None and concerned.pk == reporter.pk:
        raise CaseError("You cannot report yourself here. Speak to your Principal or HR.")
    receiver, academy = route_report(
        concerned=concerned, academy=data.get("academy"), to_ceo=bool(data.get("route_to_ceo"))
    )
    now = timezone.now()
    on_behalf = logged_by is not None
    original_reporter = data.get("on_behalf_of") if on_behalf else reporter
    with transaction.atomic():
        _lock_owner(logged_by or reporter)
        if draft_token_spent(draft_token):
            raise DraftSpent("This report has already been sent. Start a new report for "
                             "anything else you want to report.")
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    case = Case.objects.create(
                        reference=_next_reference(now),
                        reporter=None if anonymous else original_reporter,
                        anonymous=anonymous,
                        reporter_name="" if anonymous else (data.get("reporter_name") or "")[:200],
                        withhold_identity=bool(data.get("withhold_identity")) or anonymous,
                        received_via=data.get("received_via") or ReceivedVia.PORTAL,
                        logged_by=logged_by,
                        concerned=concerned,
                        concerned_unknown=concerned is None,
                        concerned_description=(data.get("concerned_description") or "")[:300],
                        academy=academy,
                        route_to_ceo=bool(data.get("route_to_ceo")),
                        platform=data["platform"],
                        platform_other=(data.get("platform_other") or "")[:100],
                        links=data.get("links") or "",
                        seen_at=data["seen_at"],
                        description=data["description"],
                        safeguarding=bool(data.get("safeguarding")),
                        cpoms_reference=(data.get("cpoms_reference") or "")[:100]
                        if data.get("safeguarding") else "",
                        cyberbullying=bool(data.get("cyberbullying")),
                        reporter_wishes=(data.get("reporter_wishes") or "")[:5000],
                        receiver=receiver,
                        handler=receiver,
                        triage_due=workdays.due_from(timezone.localdate(now), "triage"),
                    )
                break
            except IntegrityError as exc:
                if "reference" not in str(exc).lower() and "unique" not in str(exc).lower():
                    raise
        else:  # pragma: no cover - five concurrent submissions in the same instant
            raise CaseError("The report could not be numbered. Please send it again.")
        clauses = list(data.get("clauses") or [])
        if clauses:
            case.cited_clauses.set(clauses)
        draft = draft_for(logged_by or reporter, draft_kind)
        _spend(draft_token, draft.token if draft else None)
        if draft is not None:
            draft.evidence.update(case=case, draft=None)
            if anonymous:
                case.evidence.update(uploaded_by=None)
                _anonymise_evidence(case)
            draft.delete()
        actor = None if anonymous else reporter
        if on_behalf:
            summary = f"Report received {case.get_received_via_display().lower()}, logged"
        elif anonymous:
            summary = "Anonymous report received"
        else:
            summary = "Report received"
        _event(case, actor=actor, kind="reported", summary=summary, to_state=State.REPORTED,
               shown_as="Anonymous reporter" if anonymous else "")
        audit_log(
            action="breaches.report_submitted", actor=actor, obj=case,
            summary=f"{summary}; routed to {receiver.get_role_display()}",
            changes={"routed_to": receiver.pk, "academy": academy.pk,
                     "safeguarding": case.safeguarding, "anonymous": anonymous,
                     "on_behalf": on_behalf},
            request=None if anonymous else request,
        )
        notify(
            recipient=receiver, kind="breaches.report_received",
            title=f"New report of social media misuse: {case.reference}",
            body=(
                "A report of suspected social media misuse has been routed to you. "
                f"Triage is due by {case.triage_due:%-d %B %Y}."
                + (" It is flagged as a SAFEGUARDING concern." if case.safeguarding else "")
            ),
            url=case_url(case), about=case, urgent=True,
            reason="A report of social media misuse was routed to you to handle.",
        )
        if not anonymous and original_reporter is not None and on_behalf:
            notify(
                recipient=original_reporter, kind="breaches.report_logged",
                title=f"Your report {case.reference} has been logged",
                body="A report you made has been logged in the Policy Portal on your behalf.",
                url=reverse("breaches:my_report", args=[case.pk]), about=case,
            )
    return case


