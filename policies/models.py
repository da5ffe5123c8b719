"""Policies, their versions and clauses.

A published version is immutable: the model layer refuses changes, and on PostgreSQL a trigger
refuses them in the database too. Changes are made in a new draft version.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Academy, Role


class PolicyImmutable(Exception):
    """Raised when something tries to change a version that is no longer a draft."""


class Policy(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    summary = models.TextField(blank=True)
    owner_role = models.CharField(max_length=20, choices=Role.choices, default=Role.CEO)
    review_interval_months = models.PositiveSmallIntegerField(
        default=24, help_text="Clause 11.1: reviewed every 2 years."
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
    document = models.FileField(upload_to="policy-documents/", blank=True)
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

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="versions")
    label = models.CharField(max_length=40, help_text="e.g. 2023-09")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    content_hash = models.CharField(max_length=64, blank=True, db_index=True)
    source_text = models.TextField(blank=True)
    #: Cover-sheet facts as imported (CEO approval by/when, JNC, last reviewed, next due).
    cover = models.JSONField(default=dict, blank=True)
    change_kind = models.CharField(max_length=10, choices=ChangeKind.choices, blank=True)
    change_summary = models.TextField(blank=True)
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
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
                "status", "content_hash", "source_text", "label"
            ).first()
            if stored and stored["status"] not in self.EDITABLE and (
                stored["content_hash"] != self.content_hash
                or stored["source_text"] != self.source_text
                or stored["label"] != self.label
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
