"""Audit packs: generated PDF evidence, and what each one was built from.

A `Pack` row is created when someone asks for a pack; a Celery task builds the PDF, moving the
row through queued → running → ready (or failed), and storing progress on the row so the page
can show it. The row keeps the document ID printed in the PDF and the SHA-256 of every input,
so a pack handed to an inspector can later be checked against the database (`verify_pack`).
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


def new_document_id() -> str:
    """A short, unguessable, readable ID: AP-20261126-7KQ4M2XZ."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud over the phone
    suffix = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"AP-{timezone.localdate():%Y%m%d}-{suffix}"


class PackQuerySet(models.QuerySet):
    def policy_packs(self):
        return self.filter(kind=Pack.Kind.POLICY)

    def expired(self, now=None):
        now = now or timezone.now()
        return self.filter(status=Pack.Status.READY, expires_at__lte=now)


class Pack(models.Model):
    class Kind(models.TextChoices):
        POLICY = "policy", "Policy audit pack"
        CASE = "case", "Case pack"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being built"
        READY = "ready", "Ready to download"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired (file deleted)"

    document_id = models.CharField(max_length=40, unique=True, default=new_document_id)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    policy_version = models.ForeignKey(
        "policies.PolicyVersion", on_delete=models.PROTECT, null=True, blank=True,
        related_name="audit_packs",
    )
    #: Case packs: the breach case's primary key and how it was shown when the pack was made
    #: (kept as plain values so this app does not depend on the breach models).
    case_id = models.CharField(max_length=64, blank=True)
    case_label = models.CharField(max_length=200, blank=True)
    #: Optional period for the time-bound sections (breach statistics, approvals).
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: When the file is deleted by the cleanup task (the row stays, for verification).
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    progress = models.PositiveSmallIntegerField(default=0)
    progress_message = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)

    #: Relative to PRIVATE_STORAGE_ROOT / "auditpacks".
    file_name = models.CharField(max_length=200, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)

    #: SHA-256 of the acknowledgement chain head the pack was built from ("" if none).
    chain_head_hash = models.CharField(max_length=64, blank=True)
    #: {"input name": {"label": "...", "sha256": "...", "available": true}, ...}
    inputs = models.JSONField(default=dict, blank=True)
    #: Sections whose source was not available when the pack was built.
    missing_sections = models.JSONField(default=list, blank=True)

    objects = PackQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="pack_progress_max_100"),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "ready", "failed", "expired"]),
                name="pack_status_valid",
            ),
            models.CheckConstraint(
                condition=(Q(kind="policy") & Q(policy_version__isnull=False))
                | (Q(kind="case") & ~Q(case_id="")),
                name="pack_has_subject",
            ),
            models.CheckConstraint(
                condition=Q(date_from__isnull=True) | Q(date_to__isnull=True)
                | Q(date_to__gte=models.F("date_from")),
                name="pack_period_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | (~Q(file_name="") & ~Q(file_sha256="")),
                name="pack_ready_has_file",
            ),
        ]
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.document_id}"

    @property
    def subject(self) -> str:
        if self.kind == self.Kind.POLICY and self.policy_version_id:
            return str(self.policy_version)
        return self.case_label or f"Case {self.case_id}"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.READY, self.Status.FAILED, self.Status.EXPIRED}

    @property
    def file_path(self):
        from auditpacks.storage import pack_dir

        return pack_dir() / self.file_name if self.file_name else None

    @property
    def download_name(self) -> str:
        return f"{self.document_id}.pdf"
