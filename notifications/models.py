from django.conf import settings
from django.db import models


class Notification(models.Model):
    """Something a person is told about: shown under the bell and sent by email.

    The unique rule on (recipient, kind, about, period) is what makes every reminder
    "exactly once": a retried task or a second sweep cannot create the row again.
    """

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
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "about_type", "about_id", "period"],
                name="notification_once_per_period",
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.title}"
