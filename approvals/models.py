"""Approvals: one request → decision engine for every kind of written approval in the policy.

A request keeps every submitted revision (what was asked), an append-only history of moves
(who did what, with reasons and conditions) and, once approved, the frozen revision and its hash.
"""

import hashlib
import json

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class Kind(models.TextChoices):
    POST = "post", "Business social media post"
    MEDIA = "media", "Media enquiry"
    PROFESSIONAL_USE = "professional_use", "Professional use of social media or blogging"
    DEVICE = "device", "Personal device exception"
    MONITORING = "monitoring", "Monitoring request"
    PERMISSION = "permission", "Permission to post about others"


#: Clause of the Social Media Policy each kind serves.
CLAUSES = {
    Kind.POST: "8.1, 10.5 c), 10.6 b)",
    Kind.MEDIA: "8.2",
    Kind.PROFESSIONAL_USE: "6.1",
    Kind.DEVICE: "6.4",
    Kind.MONITORING: "7.2",
    Kind.PERMISSION: "10.6 c)",
}
#: Kinds that, once approved, stay in force until an end date.
PERIOD_KINDS = frozenset({Kind.PROFESSIONAL_USE, Kind.DEVICE, Kind.MONITORING, Kind.PERMISSION})


class Status(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    CHANGES_REQUESTED = "changes_requested", "Changes asked for"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"
    EXPIRED = "expired", "Expired undecided"
    PUBLISHED = "published", "Published as approved"
    ENDED = "ended", "Ended"
    REVOKED = "revoked", "Revoked"
    WITHDRAWN = "withdrawn", "Withdrawn"


OPEN_STATUSES = frozenset({Status.PENDING, Status.CHANGES_REQUESTED})


class Outcome(models.TextChoices):
    """A decider's decision, as chosen on the form; the service turns it into a move."""

    APPROVE = "approve", "Approve"
    CONDITIONS = ("approve_with_conditions",
                  "Approve with conditions (requirements and restrictions)")
    CHANGES = "ask_changes", "Ask for changes"
    REFUSE = "refuse", "Refuse"


class ApprovalRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def pending(self):
        return self.filter(status=Status.PENDING)

    def in_force(self, today=None):
        """Approved and not past its end date (posts: approved or published)."""
        today = today or timezone.localdate()
        return self.filter(
            Q(kind__in=[Kind.POST, Kind.MEDIA], status__in=[Status.APPROVED, Status.PUBLISHED])
            | Q(kind__in=list(PERIOD_KINDS), status=Status.APPROVED)
            & (Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        )


class ApprovalRequest(models.Model):
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="approval_requests"
    )
    academy = models.ForeignKey(
        "accounts.Academy", on_delete=models.PROTECT, related_name="approval_requests",
        help_text="The requester's academy when they asked: decides who may approve.",
    )
    #: Monitoring: the member of staff to be monitored. Permission: the colleague who agrees.
    subject_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="approval_requests_about",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    step = models.PositiveSmallIntegerField(default=1)
    steps = models.PositiveSmallIntegerField(default=1, help_text="1, or 2 (Principal then CEO).")
    #: Posts: the account it is published on (routing rules may name it).
    account = models.CharField(max_length=200, blank=True)
    publish_at = models.DateTimeField(null=True, blank=True, help_text="Posts: planned time.")
    due_at = models.DateTimeField(help_text="When a decision is needed by.")
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    conditions = models.TextField(blank=True, help_text="Requirements and restrictions in force.")
    approved_response = models.TextField(blank=True, help_text="Media: the approved response.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    approved_revision = models.ForeignKey(
        "Revision", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_hash = models.CharField(max_length=64, blank=True)
    published_url = models.URLField(max_length=500, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_as_approved = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApprovalRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(steps__in=[1, 2]), name="approval_steps_1_or_2"),
            models.CheckConstraint(condition=Q(step__gte=1) & Q(step__lte=F("steps")),
                                   name="approval_step_within_steps"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_from__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="approval_ends_after_start",
            ),
            models.CheckConstraint(condition=~Q(subject_person=F("requester")),
                                   name="approval_not_about_requester"),
            models.CheckConstraint(
                condition=~Q(kind="post") | Q(publish_at__isnull=False),
                name="approval_post_has_publish_time",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "published"]) | ~Q(approved_hash=""),
                name="approval_approved_is_frozen",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "kind"]),
            models.Index(fields=["academy", "kind", "publish_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}: {self.title}"

    @property
    def reference(self) -> str:
        return f"A-{self.pk:05d}" if self.pk else "A-new"

    @property
    def clause(self) -> str:
        return CLAUSES[Kind(self.kind)]

    @property
    def status_class(self) -> str:
        return {
            Status.APPROVED: "ok", Status.PUBLISHED: "ok", Status.PENDING: "warn",
            Status.CHANGES_REQUESTED: "warn", Status.REFUSED: "bad", Status.EXPIRED: "bad",
            Status.REVOKED: "bad",
        }.get(self.status, "")

    @property
    def status_label(self) -> str:
        """The status as people say it: "Approved with conditions" where there are some."""
        if self.status in (Status.APPROVED, Status.PUBLISHED) and self.conditions:
            return f"{self.get_status_display()} with conditions"
        return self.get_status_display()

    @property
    def is_overdue(self) -> bool:
        return self.status == Status.PENDING and self.due_at < timezone.now()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def current_revision(self):
        return self.revisions.order_by("-number").first()

    @property
    def is_in_force(self) -> bool:
        if self.status == Status.PUBLISHED:
            return True
        if self.status != Status.APPROVED:
            return False
        return self.valid_until is None or self.valid_until >= timezone.localdate()


class Revision(models.Model):
    """One submitted version of what is asked for. Never edited once saved."""

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE,
                                related_name="revisions")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    #: The main text: post text, journalist's question, purpose or reason.
    text = models.TextField(blank=True)
    #: Every other field of the request form, by name (see approvals.kinds).
    content = models.JSONField(default=dict)
    content_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["request", "number"]
        constraints = [
            models.UniqueConstraint(fields=["request", "number"], name="one_revision_number"),
        ]

    def __str__(self) -> str:
        return f"{self.request.reference} version {self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A submitted version cannot be changed; submit a new one.")
        super().save(*args, **kwargs)

    def compute_hash(self, media_hashes: list[str] | None = None) -> str:
        if media_hashes is None:
            media_hashes = [a.sha256 for a in self.attachments.all()]
        payload = json.dumps(
            {"text": self.text, "content": self.content, "media": sorted(media_hashes)},
            sort_keys=True, ensure_ascii=False, default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()


class Attachment(models.Model):
    """An uploaded image, video or document, stored privately by its SHA-256."""

    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="attachments")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    #: Relative to PRIVATE_STORAGE_ROOT / "approvals".
    path = models.CharField(max_length=300)

    class Meta:
        ordering = ["revision", "id"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "sha256"], name="one_copy_per_revision"),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def is_video(self) -> bool:
        return self.content_type.startswith("video/")


class Event(models.Model):
    """The request's own history: one row per move, append-only."""

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="events")
    move = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    step = models.PositiveSmallIntegerField(default=1)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+")
    #: Set when a deputy decided for an absent decider.
    on_behalf_of = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    reasons = models.TextField(blank=True)
    conditions = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.request.reference}: {self.move}"

    def get_label(self) -> str:
        from approvals.workflow import TRANSITIONS

        move = TRANSITIONS.get(self.move)
        return move.label if move else self.move

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("History entries cannot be changed.")
        super().save(*args, **kwargs)


class Delegation(models.Model):
    """A decider away names a deputy who may decide in their place for a period."""

    delegator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="delegations_given")
    deputy = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="delegations_received")
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True, help_text="Ended early.")

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(deputy=F("delegator")),
                                   name="delegation_not_to_self"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")),
                                   name="delegation_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.deputy} for {self.delegator}, {self.starts_on} to {self.ends_on}"


class TwoStepRule(models.Model):
    """Posts matching a rule need the Principal, then the CEO (clause 8.1, configurable)."""

    academy = models.ForeignKey("accounts.Academy", on_delete=models.CASCADE, null=True,
                                blank=True, help_text="Empty: every academy.")
    account = models.CharField(max_length=200, blank=True,
                               help_text="Empty: every account. Compared ignoring case.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["academy__name", "account"]
        constraints = [
            models.UniqueConstraint(fields=["academy", "account"], name="one_two_step_rule"),
            models.CheckConstraint(condition=Q(academy__isnull=False) | ~Q(account=""),
                                   name="two_step_rule_names_something"),
        ]

    def __str__(self) -> str:
        where = self.academy.name if self.academy else "Every academy"
        return f"{where}{f', account {self.account}' if self.account else ''}"
