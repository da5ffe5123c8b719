from django.conf import settings
from django.db import models
from django.db.models import Q


class Notification(models.Model):
    """Something a person is told about: shown under the bell and sent by email.

    The unique rule on (recipient, kind, about, period) is what makes every reminder
    "exactly once": a retried task or a second sweep cannot create the row again.
    The row is also the outbox: it is written in the caller's transaction, and
    `email_state` records how far its email has got, so nothing is lost when the broker is down.
    """

    class EmailState(models.TextChoices):
        NEW = "new", "Waiting to be routed"
        IMMEDIATE = "immediate", "Emailed on its own"
        DIGEST = "digest", "Waiting for the daily summary"
        DIGESTED = "digested", "Included in a daily summary"
        NONE = "none", "Not emailed (portal only)"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=60, help_text="Dotted code, e.g. ack.assigned")
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    about_type = models.CharField(max_length=100, blank=True)
    about_id = models.CharField(max_length=64, blank=True)
    #: Distinguishes repeats of the same reminder, e.g. "2026-11-26" or "overdue-3".
    period = models.CharField(max_length=40, blank=True)
    urgent = models.BooleanField(default=False)
    #: Why the person is told, shown in the email and the list.
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_state = models.CharField(
        max_length=10, choices=EmailState.choices, default=EmailState.NEW
    )
    delivery = models.ForeignKey(
        "notifications.Delivery", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="notifications", help_text="The email that carried it.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "about_type", "about_id", "period"],
                name="notification_once_per_period",
            ),
            models.CheckConstraint(
                condition=Q(email_state__in=["new", "immediate", "digest", "digested", "none"]),
                name="notification_email_state_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["email_state", "recipient"]),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.title}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def why(self) -> str:
        from notifications.kinds import explain

        text = explain(self.kind)
        text = text[:1].upper() + text[1:]
        return f"{text} ({self.reason})." if self.reason else f"{text}."


class Delivery(models.Model):
    """One email, sent at most once: the delivery log.

    The unique rule on (recipient, kind, subject, period) means a retried task, a second beat
    or two sweeps at once cannot create a second email for the same reminder; the conditional
    update that claims a row (pending → sending) means only one worker sends it.
    A daily summary is a delivery with kind "digest" and the date as its period.
    An email to an address outside the portal (an IT company, say) has no recipient: it holds
    its own address, subject and text (`notifications.addresses.email_address`), once per
    (address, what it is about, kind, period).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed, will retry"
        ABANDONED = "abandoned", "Failed, gave up"

    DIGEST = "digest"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deliveries",
        null=True, blank=True, help_text="Empty: an email to an address outside the portal.",
    )
    kind = models.CharField(max_length=60)
    subject_type = models.CharField(max_length=100, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    period = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    email_subject = models.CharField(max_length=300, blank=True)
    to_address = models.CharField(max_length=254, blank=True)
    #: The text of an email to an address outside the portal (no notification carries it).
    body = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "subject_type", "subject_id", "kind", "period"],
                name="delivery_once_per_period",
            ),
            models.UniqueConstraint(
                fields=["to_address", "subject_type", "subject_id", "kind", "period"],
                condition=Q(recipient__isnull=True),
                name="address_delivery_once_per_period",
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | ~Q(to_address=""),
                name="delivery_has_an_address",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "sent", "failed", "abandoned"]),
                name="delivery_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="delivery_sent_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        to = self.recipient or self.to_address
        return f"{to} · {self.kind} · {self.period or '-'} ({self.status})"

    @property
    def is_digest(self) -> bool:
        return self.kind == self.DIGEST

    @property
    def address(self) -> str:
        """Where it goes: the person's current address, or the address it was written to."""
        return self.recipient.email if self.recipient_id else self.to_address


class Preference(models.Model):
    """How one person wants one group of notifications (see notifications.kinds)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    group = models.CharField(max_length=30)
    choice = models.CharField(max_length=10)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "group"], name="one_preference_per_group"),
            models.CheckConstraint(
                condition=Q(choice__in=["immediate", "daily", "portal"]),
                name="preference_choice_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.group} → {self.choice}"
