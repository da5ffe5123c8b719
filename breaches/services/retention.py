"""The retention rule: anonymising closed cases and deleting stale drafts."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_log
from breaches.models import (
    Case,
    ReportDraft,
    SpentDraftToken,
    State,
)
from breaches.services.common import _event, _today
from breaches.services.reporting import draft_discard
from breaches.workflow import CaseError
from core import navcache

# --------------------------------------------------------------------------- retention

def case_anonymise(*, case: Case, actor: User | None = None, reason: str = "retention") -> Case:
    """Remove everything that identifies anyone, delete the evidence files, keep the
    statistical skeleton (dates, platform, academy, clauses, outcome)."""
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.legal_hold:
            raise CaseError("The case is under legal hold.")
        paths = []
        files = 0
        for evidence in case.evidence.filter(deleted_at__isnull=True):
            paths.append(evidence.path)
            files += 1
        case.evidence.all().update(deleted_at=timezone.now(), original_name="(deleted)",
                                   description="", site="")
        case.items.all().delete()
        case.messages.all().delete()
        case.members.all().delete()
        case.events.all().delete()
        navcache.bump()
        Case.objects.filter(pk=case.pk).update(
            reporter=None, reporter_name="", logged_by=None, concerned=None,
            concerned_description="", links="", description="(removed under the retention rule)",
            reporter_wishes="",
            cpoms_reference="", outcome_reasons="", appeal_grounds="", appeal_reasons="",
            platform_other="", anonymised_at=timezone.now(),
        )
        case.refresh_from_db()
        _event(case, actor=actor, kind="retention",
               summary=f"Anonymised under the retention rule; {files} evidence file(s) deleted")
        audit_log(action="breaches.case_anonymised", actor=actor, obj=case,
                  summary=f"Anonymised ({reason}); {files} evidence file(s) deleted",
                  changes={"files_deleted": files,
                           "retention_until": case.retention_until.isoformat()
                           if case.retention_until else None})
        transaction.on_commit(lambda: [p.unlink(missing_ok=True) for p in paths])
    return case


def apply_retention(*, today: datetime.date | None = None, dry_run: bool = False
                    ) -> dict[str, list[str]]:
    """Anonymise closed cases whose retention date has passed; skip those on legal hold."""
    today = today or _today()
    due = Case.objects.filter(state__in=[State.NO_CASE, State.CLOSED],
                              retention_until__lte=today, anonymised_at__isnull=True)
    result: dict[str, list[str]] = {"anonymised": [], "held": [], "drafts_deleted": []}
    for case in due.order_by("retention_until", "pk"):
        if case.legal_hold:
            result["held"].append(case.reference)
            continue
        if not dry_run:
            case_anonymise(case=case)
        result["anonymised"].append(case.reference)
    stale_days = int(getattr(settings, "BREACHES_DRAFT_RETENTION_DAYS", 30))
    cutoff = timezone.now() - datetime.timedelta(days=stale_days)
    for draft in ReportDraft.objects.filter(updated_at__lt=cutoff):
        result["drafts_deleted"].append(str(draft.pk))
        if not dry_run:
            draft_discard(owner=draft.owner, kind=draft.kind)
    if not dry_run:
        SpentDraftToken.objects.filter(spent_on__lt=cutoff.date()).delete()
    if not dry_run and (result["anonymised"] or result["drafts_deleted"]):
        with transaction.atomic():
            audit_log(action="breaches.retention_applied", summary=(
                f"{len(result['anonymised'])} case(s) anonymised, {len(result['held'])} on "
                f"legal hold skipped, {len(result['drafts_deleted'])} stale draft(s) deleted"),
                changes=result)
    return result
