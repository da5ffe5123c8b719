"""Who must acknowledge which policy version, and the evidence that they did.

`Assignment` is the working list (one row per person and version, updated when it is done).
`Acknowledgement` is the evidence: append-only (the model refuses changes, and a database
trigger refuses UPDATE and DELETE too), and every row holds the hash of the one before it.
"""

import datetime
import hashlib
import hmac
import json

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.errors import Immutable
from policies.models import Clause, PolicyVersion


class RecordImmutable(Immutable):
    """Raised when something tries to change or delete an acknowledgement record."""


class Method(models.TextChoices):
    PORTAL = "portal", "In the portal"
    EMAIL_LINK = "email_link", "From a signed link in an email"
    ON_BEHALF = "on_behalf", "Recorded on their behalf by their manager"
    TOKEN_ONLY = "token_only", "Signed link without a portal account"


class AssignmentQuerySet(models.QuerySet):
    def current_people(self):
        """Leave out leavers: they keep their history but drop out of the figures."""
        today = timezone.localdate()
        return self.filter(
            Q(person__leaving_date__isnull=True) | Q(person__leaving_date__gt=today),
            person__is_active=True,
        )

    def live(self):
        """Assignments for versions that are in force now."""
        return self.filter(version__status=PolicyVersion.Status.PUBLISHED)

    def outstanding(self):
        return self.filter(acknowledgement__isnull=True)

    def done(self):
        return self.filter(acknowledgement__isnull=False)

    def overdue(self, today=None):
        return self.outstanding().filter(due_on__lt=today or timezone.localdate())


class Assignment(models.Model):
    """A person is asked to acknowledge a version by a due date."""

    class Source(models.TextChoices):
        PUBLISHED = "published", "Asked when the version was published"
        JOINER = "joiner", "Asked on their start date"
        AUDIENCE = "audience", "Joined the policy's audience"
        CARRIED = "carried", "Carried over from the previous version (minor change)"

    # No single-column indexes on person and version: the unique (person, version) rule and
    # the (version, …) indexes below serve those lookups, and every index costs each write.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ack_assignments",
        db_index=False,
    )
    version = models.ForeignKey(
        PolicyVersion, on_delete=models.PROTECT, related_name="ack_assignments", db_index=False,
    )
    assigned_on = models.DateField()
    due_on = models.DateField()
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.PUBLISHED)
    #: The record that satisfies it: for this version, or the previous one for a minor change.
    #: No index of its own: assignments are never looked up by record (the version+record
    #: index serves "done or not"), and records are never deleted.
    acknowledgement = models.ForeignKey(
        "Acknowledgement", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        db_index=False,
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "version"], name="ack_assignment_once"),
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("assigned_on")), name="ack_due_after_assigned"
            ),
            models.CheckConstraint(
                condition=Q(acknowledgement__isnull=True) | Q(acknowledged_at__isnull=False),
                name="ack_done_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["version", "acknowledgement"]),
            models.Index(fields=["version", "due_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.version}"

    @property
    def is_done(self) -> bool:
        return self.acknowledgement_id is not None

    def status(self, today=None) -> str:
        if self.acknowledgement_id:
            return "done"
        if self.due_on < (today or timezone.localdate()):
            return "overdue"
        return "outstanding"


class RecordQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise RecordImmutable("Acknowledgement records cannot be changed.")

    def delete(self):
        raise RecordImmutable("Acknowledgement records cannot be deleted.")


GENESIS_HASH = "0" * 64


def chain_key() -> bytes:
    """The key of the chain's keyed hashes (settings.ACK_CHAIN_KEY: from the environment or a
    key file, never the database), so whoever owns the database cannot recompute them."""
    return settings.ACK_CHAIN_KEY.encode()


def keyed_from_seal(keyed_from: int, hash_before: str) -> str:
    """The key's signature on where keyed hashing starts: records before ``keyed_from`` (whose
    last hash is ``hash_before``) were hashed before the key existed."""
    text = f"acknowledgement-chain keyed-from {keyed_from} after {hash_before}".encode()
    return hmac.new(chain_key(), text, hashlib.sha256).hexdigest()


class Acknowledgement(models.Model):
    """Evidence that a person acknowledged a version. Never edited, never deleted."""

    sequence = models.PositiveBigIntegerField(unique=True)
    # Indexed by the unique (person, version) rule, which starts with it.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="acknowledgements",
        db_index=False,
    )
    person_name = models.CharField(max_length=200)
    person_email = models.EmailField()
    version = models.ForeignKey(
        PolicyVersion, on_delete=models.PROTECT, related_name="acknowledgements"
    )
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the text they read.")
    statement = models.TextField(help_text="The exact words the person agreed to.")
    answers = models.JSONField(default=list, blank=True)
    acknowledged_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    method = models.CharField(max_length=20, choices=Method.choices)
    # Indexed only where set (records made on someone's behalf): see Meta.indexes.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", db_index=False,
    )
    attestation = models.TextField(blank=True)
    previous_hash = models.CharField(max_length=64)
    # Unique through Meta.constraints (no second "LIKE" index on PostgreSQL, as unique=True
    # would add: the hash is only ever looked up whole).
    record_hash = models.CharField(max_length=64)

    objects = RecordQuerySet.as_manager()

    class Meta:
        ordering = ["sequence"]
        constraints = [
            models.UniqueConstraint(fields=["person", "version"], name="ack_record_once"),
            models.UniqueConstraint(fields=["record_hash"], name="ack_record_hash_unique"),
            models.CheckConstraint(
                condition=~Q(method="on_behalf")
                | (Q(recorded_by__isnull=False) & ~Q(attestation="")),
                name="ack_on_behalf_attested",
            ),
        ]
        indexes = [
            models.Index(fields=["recorded_by"], condition=Q(recorded_by__isnull=False),
                         name="ack_record_recorded_by"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.person_name} · {self.version_id}"

    def chain_payload(self) -> dict:
        """Every field that the hash protects, in a stable form."""
        return {
            "sequence": self.sequence,
            "person": self.person_id,
            "person_name": self.person_name,
            "person_email": self.person_email,
            "version": self.version_id,
            "content_hash": self.content_hash,
            "statement": self.statement,
            "answers": self.answers,
            "acknowledged_at": self.acknowledged_at.astimezone(datetime.UTC).isoformat(),
            "ip_address": self.ip_address or "",
            "user_agent": self.user_agent,
            "method": self.method,
            "recorded_by": self.recorded_by_id,
            "attestation": self.attestation,
            "previous_hash": self.previous_hash,
        }

    def compute_hash(self, *, keyed: bool = True) -> str:
        """The record's hash: HMAC-SHA-256 of `chain_payload` under the chain key (a setting,
        never stored in the database); ``keyed=False``: plain SHA-256, the scheme of records
        appended before the key existed (see `ChainHead.keyed_from`)."""
        data = json.dumps(self.chain_payload(), sort_keys=True, separators=(",", ":")).encode()
        if not keyed:
            return hashlib.sha256(data).hexdigest()
        return hmac.new(chain_key(), data, hashlib.sha256).hexdigest()

    def save(self, *args, **kwargs):
        # A new record may come with its id already taken from the sequence (services);
        # whatever was read from the database is never written again.
        if not self._state.adding:
            raise RecordImmutable("Acknowledgement records cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RecordImmutable("Acknowledgement records cannot be deleted.")


def fresh_chain_seal() -> str:
    """The seal of a chain keyed from its first record."""
    return keyed_from_seal(1, GENESIS_HASH)


class ChainHead(models.Model):
    """One row: the last record in the chain. Locked while a record is appended.

    ``keyed_from``: the first record hashed with the chain key; the records before it (made
    before the key existed) keep their plain SHA-256 hashes. ``keyed_from_seal`` is the key's
    signature on that boundary and the hash before it, so the database owner can neither move
    the boundary nor change a record before it (see docs/security.md)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    sequence = models.PositiveBigIntegerField(default=0)
    record_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    keyed_from = models.PositiveBigIntegerField(default=1)
    keyed_from_seal = models.CharField(max_length=64, default=fresh_chain_seal)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="ack_chain_head_single")]

    def __str__(self) -> str:
        return f"Chain head #{self.sequence}"


class SectionView(models.Model):
    """The server served this section of this version to this person (the reading check)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="+")
    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="+")
    section = models.CharField(max_length=30)
    first_served_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "version", "section"],
                                    name="ack_section_view_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} read {self.section} of {self.version_id}"


class Question(models.Model):
    """A comprehension question on a version; a wrong answer points to the clause to re-read."""

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE,
                                related_name="ack_questions")
    order = models.PositiveSmallIntegerField(default=1)
    text = models.CharField(max_length=500)
    choices = models.JSONField(help_text="The possible answers, in the order shown.")
    correct_choice = models.PositiveSmallIntegerField(help_text="Index into choices, from 0.")
    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, related_name="+", null=True,
                               blank=True, help_text="The clause to re-read after a wrong answer "
                               "(empty only when a carried question's clause was removed).")
    #: The question of the previous version this one was carried forward from.
    carried_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    #: Why HR should check a carried question (its clause changed or was removed); staff are
    #: not asked it until HR saves it again, which clears this.
    review_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["version", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(correct_choice__gte=0),
                                   name="ack_question_choice_index"),
        ]

    def __str__(self) -> str:
        return self.text


class UsedLink(models.Model):
    """A signed link that has been used: a second use is refused by the unique nonce."""

    nonce = models.CharField(max_length=64, unique=True)
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="+")
    used_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Link used {self.used_at:%Y-%m-%d %H:%M}"


class Nudge(models.Model):
    """A line manager reminded a report personally (rate-limited)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="nudges")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"Nudge to {self.assignment}"
