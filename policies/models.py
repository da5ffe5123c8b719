"""Policies, their versions and clauses.

A published version is immutable: the model layer refuses changes, and on PostgreSQL a trigger
refuses them in the database too. Changes are made in a new draft version.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Academy, Role
from core.errors import Immutable


class PolicyImmutable(Immutable):
    """Raised when something tries to change a version that is no longer a draft."""


class Policy(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    summary = models.TextField(blank=True)
    owner_role = models.CharField(max_length=20, choices=Role.choices, default=Role.CEO)
    review_interval_months = models.PositiveSmallIntegerField(
        default=24, help_text="Months between reviews (24: every two years)."
    )
    acknowledgement_due_days = models.PositiveSmallIntegerField(default=14)
    requires_acknowledgement = models.BooleanField(default=True)
    # Audience (who must acknowledge). Empty means everyone in that dimension.
    audience_academies = models.ManyToManyField(Academy, blank=True, related_name="+")
    audience_categories = models.JSONField(default=list, blank=True)
    audience_roles = models.JSONField(default=list, blank=True)
    #: People without portal accounts may acknowledge from a signed link alone.
    allow_token_only = models.BooleanField(default=False)
    last_reviewed_on = models.DateField(null=True, blank=True)
    next_review_due = models.DateField(null=True, blank=True, db_index=True)
    #: An uploaded document for referenced policies that are not imported as text.
    document = models.FileField(upload_to="policies/documents/", blank=True)
    document_name = models.CharField(max_length=200, blank=True)
    #: Category line from the cover sheet, e.g. "Human Resources Policy".
    category = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(review_interval_months__gte=1), name="review_interval_positive"
            ),
            models.CheckConstraint(
                condition=Q(acknowledgement_due_days__gte=1), name="ack_due_days_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def current_version(self) -> "PolicyVersion | None":
        return self.versions.filter(status=PolicyVersion.Status.PUBLISHED).first()


class PolicyVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        CONSULTATION = "consultation", "In consultation (JNC / trade unions)"
        AWAITING_APPROVAL = "awaiting_approval", "Awaiting CEO approval"
        APPROVED = "approved", "Approved by the CEO"
        RATIFIED = "ratified", "Ratified by the LGB Cluster"
        PUBLISHED = "published", "Published"
        SUPERSEDED = "superseded", "Superseded"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class ChangeKind(models.TextChoices):
        MATERIAL = "material", "Material: everyone must re-acknowledge"
        MINOR = "minor", "Minor: notify only"

    #: Statuses in which the text may still change.
    EDITABLE = {Status.DRAFT}
    #: Statuses of a version still on its way to publication.
    IN_PROGRESS = {
        Status.DRAFT, Status.CONSULTATION, Status.AWAITING_APPROVAL, Status.APPROVED,
        Status.RATIFIED,
    }
    #: Statuses staff may read (the current version and its history).
    READABLE = {Status.PUBLISHED, Status.SUPERSEDED, Status.WITHDRAWN}

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="versions")
    label = models.CharField(max_length=40, help_text="e.g. 2023-09")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    content_hash = models.CharField(max_length=64, blank=True, db_index=True)
    source_text = models.TextField(blank=True)
    #: The cover sheet (keys of ``policies.cover.COVER_FIELDS``): read from the document,
    #: editable while a draft, compared in the redline. Its next-review date is only a
    #: proposal until the version is published.
    cover = models.JSONField(default=dict, blank=True)
    #: What the import checks found in the document (``ParseWarning.as_dict()`` each), which
    #: HR confirmed to import it as written; shown again to whoever approves it.
    warnings = models.JSONField(default=list, blank=True)
    warnings_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    warnings_confirmed_at = models.DateTimeField(null=True, blank=True)
    change_kind = models.CharField(max_length=10, choices=ChangeKind.choices, blank=True)
    change_summary = models.TextField(blank=True)
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    # Lifecycle facts (status metadata, not content: may be set after the draft stage).
    consultation_skipped_reason = models.TextField(blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    ratified_on = models.DateField(null=True, blank=True)
    ratified_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["policy", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "label"], name="version_label_unique"),
            models.UniqueConstraint(
                fields=["policy"], condition=Q(status="published"), name="one_published_version"
            ),
            models.UniqueConstraint(
                fields=["policy"],
                condition=Q(
                    status__in=[
                        "draft", "consultation", "awaiting_approval", "approved", "ratified"
                    ]
                ),
                name="one_version_in_progress",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | ~Q(change_kind=""),
                name="published_has_change_kind",
            ),
        ]
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return f"{self.policy.title} {self.label}"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    def compute_content_hash(self) -> str:
        digest = hashlib.sha256()
        for number, text in self.clauses.order_by("order").values_list("number", "text"):
            digest.update(number.encode() + b"\x1f" + text.encode() + b"\x1e")
        return digest.hexdigest()

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = PolicyVersion.objects.filter(pk=self.pk).values(
                "status", "content_hash", "source_text", "label", "cover", "policy_id"
            ).first()
            if stored and stored["status"] not in self.EDITABLE and (
                stored["content_hash"] != self.content_hash
                or stored["source_text"] != self.source_text
                or stored["label"] != self.label
                or stored["cover"] != self.cover
                or stored["policy_id"] != self.policy_id
            ):
                raise PolicyImmutable(f"{self} is {stored['status']} and cannot be edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if not self.is_editable:
            raise PolicyImmutable(f"{self} is {self.status} and cannot be deleted.")
        return super().delete(*args, **kwargs)


class ClauseQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if self.exclude(version__status=PolicyVersion.Status.DRAFT).exists():
            raise PolicyImmutable("Clauses of a version that is not a draft cannot be edited.")
        return super().update(**kwargs)

    def delete(self):
        if self.exclude(version__status=PolicyVersion.Status.DRAFT).exists():
            raise PolicyImmutable("Clauses of a version that is not a draft cannot be deleted.")
        return super().delete()


class Clause(models.Model):
    """One numbered clause, in document order, with its nesting (section → clause → a) → i.)."""

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="clauses")
    number = models.CharField(max_length=30, help_text="As the document numbers it: 5.1 f)")
    anchor = models.CharField(max_length=40, help_text="Permalink fragment: 5.1-f")
    heading = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)
    level = models.PositiveSmallIntegerField(default=1)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    order = models.PositiveIntegerField()

    objects = ClauseQuerySet.as_manager()

    class Meta:
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="clause_number_unique"),
            models.UniqueConstraint(fields=["version", "order"], name="clause_order_unique"),
            models.UniqueConstraint(fields=["version", "anchor"], name="clause_anchor_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.heading or self.text[:60]}"

    def _check_editable(self) -> None:
        status = PolicyVersion.objects.filter(pk=self.version_id).values_list(
            "status", flat=True
        ).first()
        if status is not None and status not in PolicyVersion.EDITABLE:
            raise PolicyImmutable("Clauses of a version that is not a draft cannot be changed.")

    def save(self, *args, **kwargs):
        self._check_editable()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_editable()
        return super().delete(*args, **kwargs)


class VersionEvent(models.Model):
    """One lifecycle move of a version: the approval record page lists these. Append-only."""

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=PolicyVersion.Status.choices)
    to_status = models.CharField(max_length=20, choices=PolicyVersion.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    reason = models.TextField(blank=True)
    #: When it happened in the real world (a meeting date), which may be before it was recorded.
    occurred_on = models.DateField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_status=models.F("to_status")), name="event_changes_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version}: {self.from_status} -> {self.to_status}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PolicyImmutable("Lifecycle events cannot be changed.")
        super().save(*args, **kwargs)


class AcademyAddendum(models.Model):
    """Local contacts and arrangements for one academy, part of what its staff acknowledge.

    Drafted by the academy's Principal, approved by the CEO, while its version is in progress.
    Once the version is published an approved addendum is frozen (here and, on PostgreSQL, by
    a trigger); a change is made in the next draft of the policy.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Awaiting CEO approval"
        APPROVED = "approved", "Approved by the CEO"

    #: Once its version reaches one of these, an approved addendum is frozen.
    FROZEN_VERSION_STATUSES = ("published", "superseded", "withdrawn")

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="addenda")
    academy = models.ForeignKey(Academy, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    content_hash = models.CharField(max_length=64, blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["version", "academy__name"]
        verbose_name_plural = "academy addenda"
        constraints = [
            models.UniqueConstraint(fields=["version", "academy"], name="one_addendum_per_academy"),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_at__isnull=False),
                name="approved_addendum_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} addendum for {self.academy}"

    @staticmethod
    def hash_text(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = AcademyAddendum.objects.filter(pk=self.pk).values(
                "status", "text", "version_id", "academy_id"
            ).first()
            if stored and stored["status"] == self.Status.APPROVED and self._version_frozen(
                stored["version_id"]
            ) and (
                stored["text"] != self.text
                or stored["version_id"] != self.version_id
                or stored["academy_id"] != self.academy_id
                or self.status != self.Status.APPROVED
            ):
                raise PolicyImmutable(f"{self} was approved with a published version.")
        super().save(*args, **kwargs)

    @staticmethod
    def _version_frozen(version_id: int) -> bool:
        status = PolicyVersion.objects.filter(pk=version_id).values_list("status", flat=True)
        return bool(status) and status[0] in AcademyAddendum.FROZEN_VERSION_STATUSES

    def delete(self, *args, **kwargs):
        if self.status == self.Status.APPROVED and self._version_frozen(self.version_id):
            raise PolicyImmutable(f"{self} was approved with a published version.")
        return super().delete(*args, **kwargs)


class PolicyReview(models.Model):
    """A completed review of a policy. The latest one sets the next due date."""

    class Outcome(models.TextChoices):
        NO_CHANGE = "no_change", "No change"
        MINOR_UPDATE = "minor_update", "Minor update"
        NEW_VERSION = "new_version", "New version"

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField()
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewer_name = models.CharField(max_length=200, blank=True)
    unions_consulted = models.TextField(blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    notes = models.TextField(blank=True)
    version = models.ForeignKey(
        PolicyVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["policy", "-reviewed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.policy} reviewed {self.reviewed_on:%d/%m/%Y}"
