"""Reports of suspected social media misuse and the cases that handle them.

One report becomes one case. The case moves through the states in `breaches.workflow`
(one transition table, one function that applies a move). Everything else here is data.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Academy


class Platform(models.TextChoices):
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    LINKEDIN = "linkedin", "LinkedIn"
    SNAPCHAT = "snapchat", "Snapchat"
    TIKTOK = "tiktok", "TikTok"
    TWITTER = "twitter", "Twitter / X"
    BLOG = "blog", "Blog"
    WIKI = "wiki", "Wiki"
    OTHER = "other", "Other"


class ReceivedVia(models.TextChoices):
    PORTAL = "portal", "Reported in the portal"
    PHONE = "phone", "By telephone"
    PAPER = "paper", "On paper"
    EMAIL = "email", "By email"
    IN_PERSON = "in_person", "In person"


class State(models.TextChoices):
    REPORTED = "reported", "Reported"
    TRIAGE = "triage", "Triage"
    NO_CASE = "no_case", "Closed with no case"
    INFORMAL = "informal", "Informal resolution"
    INVESTIGATION = "investigation", "Formal investigation"
    OUTCOME = "outcome", "Outcome recorded"
    APPEAL = "appeal", "Appeal"
    CLOSED = "closed", "Closed"


#: States in which nothing more happens (retention runs from here).
FINAL_STATES = frozenset({State.NO_CASE, State.CLOSED})


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Outcome(models.TextChoices):
    NO_ACTION = "no_action", "No action"
    MANAGEMENT_ADVICE = "management_advice", "Management advice"
    WRITTEN_WARNING = "written_warning", "Written warning"
    FINAL_WRITTEN_WARNING = "final_written_warning", "Final written warning"
    DISMISSAL = "dismissal", "Dismissal"
    REFERRAL_LADO = "referral_lado", "Referral to the LADO"
    REFERRAL_POLICE = "referral_police", "Referral to the police"
    REFERRAL_REGULATOR = "referral_regulator", "Referral to a regulator (e.g. TRA)"


class AppealResult(models.TextChoices):
    UPHELD = "upheld", "Upheld (the outcome is overturned or changed)"
    DISMISSED = "dismissed", "Dismissed (the outcome stands)"


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(state__in=FINAL_STATES)

    def safeguarding(self):
        """Safeguarding matters: confirmed at triage, or flagged and not yet triaged."""
        return self.filter(Q(safeguarding_confirmed=True)
                           | Q(safeguarding_confirmed__isnull=True, safeguarding=True))

    def submitted(self):
        return self.all()


class Case(models.Model):
    """A submitted report and everything done about it."""

    reference = models.CharField(max_length=20, unique=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.REPORTED,
                             db_index=True)

    # Who reported it. Anonymous: nothing is stored about the reporter at all.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="breach_reports",
    )
    anonymous = models.BooleanField(default=False)
    #: Someone outside the portal (a parent, a member of the public) reported by phone/paper.
    reporter_name = models.CharField(max_length=200, blank=True)
    withhold_identity = models.BooleanField(
        default=False, help_text="Never show the reporter's identity to the person concerned."
    )
    received_via = models.CharField(max_length=20, choices=ReceivedVia.choices,
                                    default=ReceivedVia.PORTAL)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", help_text="Who typed in a report received by phone or on paper.",
    )

    # Who and what it is about.
    concerned = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="breach_cases_about",
    )
    concerned_unknown = models.BooleanField(default=False)
    concerned_description = models.CharField(max_length=300, blank=True)
    academy = models.ForeignKey(Academy, on_delete=models.PROTECT, related_name="breach_cases")
    route_to_ceo = models.BooleanField(
        default=False, help_text="The reporter asked for the CEO (conflict of interest)."
    )
    platform = models.CharField(max_length=20, choices=Platform.choices)
    platform_other = models.CharField(max_length=100, blank=True)
    links = models.TextField(blank=True, help_text="One address per line.")
    seen_at = models.DateTimeField()
    description = models.TextField()
    cited_clauses = models.ManyToManyField("policies.Clause", blank=True, related_name="+")
    safeguarding = models.BooleanField(default=False)
    cpoms_reference = models.CharField(max_length=100, blank=True)
    cyberbullying = models.BooleanField(default=False)
    #: Appendix A 3.2: incidents are addressed "in consideration of the wishes" of the reporter.
    reporter_wishes = models.TextField(blank=True)

    # Handling.
    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        help_text="Who the report was routed to.",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="breach_cases_handled",
    )
    severity = models.CharField(max_length=10, choices=Severity.choices, blank=True)
    safeguarding_confirmed = models.BooleanField(null=True, blank=True)
    triage_due = models.DateField()
    step_due = models.DateField(null=True, blank=True)
    concerned_notified_at = models.DateTimeField(null=True, blank=True)

    # Outcome.
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    outcome_reasons = models.TextField(blank=True)
    clauses_breached = models.ManyToManyField("policies.Clause", blank=True, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    appeal_deadline = models.DateField(null=True, blank=True)

    # Appeal.
    appeal_lodged_at = models.DateTimeField(null=True, blank=True)
    appeal_grounds = models.TextField(blank=True)
    appeal_hearer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    appeal_result = models.CharField(max_length=20, choices=AppealResult.choices, blank=True)
    appeal_reasons = models.TextField(blank=True)
    appeal_decided_at = models.DateTimeField(null=True, blank=True)
    appeal_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", help_text="Who decided the appeal (the hearer at the time).",
    )
    #: An upheld appeal's replacement outcome ("" when upheld: the first outcome is overturned).
    #: The first decision (`outcome`, `outcome_reasons`, `decided_by`) is never overwritten.
    appeal_revised_outcome = models.CharField(max_length=30, choices=Outcome.choices,
                                              blank=True)

    # Closing and retention.
    closed_at = models.DateTimeField(null=True, blank=True)
    retention_until = models.DateField(null=True, blank=True, db_index=True)
    legal_hold = models.BooleanField(default=False)
    legal_hold_reason = models.CharField(max_length=300, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(anonymous=False) | Q(reporter__isnull=True, reporter_name=""),
                name="breach_anonymous_stores_no_reporter",
            ),
            models.CheckConstraint(
                condition=Q(concerned__isnull=True) | ~Q(handler=models.F("concerned")),
                name="breach_handler_not_concerned",
            ),
            models.CheckConstraint(
                condition=Q(concerned__isnull=True) | ~Q(receiver=models.F("concerned")),
                name="breach_receiver_not_concerned",
            ),
            models.CheckConstraint(
                condition=Q(appeal_hearer__isnull=True)
                | Q(decided_by__isnull=True)
                | ~Q(appeal_hearer=models.F("decided_by")),
                name="breach_appeal_heard_by_someone_else",
            ),
            models.CheckConstraint(
                condition=Q(concerned__isnull=False) | Q(concerned_unknown=True)
                | Q(anonymised_at__isnull=False),
                name="breach_concerned_known_or_unknown",
            ),
            models.CheckConstraint(
                condition=~Q(state="outcome") | ~Q(outcome=""), name="breach_outcome_recorded",
            ),
            models.CheckConstraint(
                condition=Q(appeal_revised_outcome="") | Q(appeal_result="upheld"),
                name="breach_revised_outcome_only_when_upheld",
            ),
            models.CheckConstraint(
                condition=Q(safeguarding=True) | Q(safeguarding_confirmed=True)
                | Q(cpoms_reference=""),
                name="breach_cpoms_only_for_safeguarding",
            ),
        ]
        indexes = [models.Index(fields=["state", "triage_due"]),
                   models.Index(fields=["academy", "state"])]

    def __str__(self) -> str:
        # Never a name: this string lands in audit trails and notification titles.
        return f"Report {self.reference}"

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def is_safeguarding(self) -> bool:
        """A safeguarding matter: as decided at triage, or as the reporter flagged it until
        triage decides."""
        if self.safeguarding_confirmed is not None:
            return self.safeguarding_confirmed
        return self.safeguarding

    @property
    def safeguarding_label(self) -> str:
        """The safeguarding decision in words, the same on every page ("" when never raised)."""
        if self.safeguarding_confirmed is True:
            return "Safeguarding matter (confirmed at triage)"
        if self.safeguarding_confirmed is False and self.safeguarding:
            return "Not a safeguarding matter (decided at triage; the reporter had flagged it)"
        if self.safeguarding_confirmed is None and self.safeguarding:
            return "Safeguarding concern (flagged by the reporter; not yet triaged)"
        return ""

    @property
    def appeal_decider(self):
        return self.appeal_decided_by if self.appeal_decided_by_id else self.appeal_hearer

    @property
    def in_force_label(self) -> str:
        """The outcome in force in words (no database query; "" before any outcome)."""
        if not self.outcome:
            return ""
        if self.appeal_result == AppealResult.UPHELD:
            code = self.appeal_revised_outcome
            return (Outcome(code).label if code
                    else "No sanction: the outcome was overturned on appeal")
        return self.get_outcome_display()

    @property
    def in_force(self) -> dict | None:
        """The outcome in force now, and whose decision it is: the first decision, or the
        appeal decision when an appeal was upheld (None before any outcome)."""
        if not self.outcome:
            return None
        if self.appeal_result == AppealResult.UPHELD:
            return {
                "code": self.appeal_revised_outcome, "on_appeal": True,
                "label": self.in_force_label,
                "decided_by": self.appeal_decider, "decided_at": self.appeal_decided_at,
            }
        return {"code": self.outcome, "label": self.in_force_label, "on_appeal": False,
                "decided_by": self.decided_by, "decided_at": self.decided_at,
                "confirmed_on_appeal": self.appeal_result == AppealResult.DISMISSED}

    @property
    def shows_appeal_deadline(self) -> bool:
        """The appeal deadline means something only while an appeal may still be lodged."""
        return self.state == State.OUTCOME and self.appeal_deadline is not None

    @property
    def platform_label(self) -> str:
        if self.platform == Platform.OTHER and self.platform_other:
            return f"Other: {self.platform_other}"
        return self.get_platform_display()

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip()]

    @property
    def reporter_label(self) -> str:
        if self.anonymous:
            return "Anonymous"
        if self.reporter_id:
            return self.reporter.full_name
        return self.reporter_name or "Not recorded"

    @property
    def concerned_label(self) -> str:
        if self.concerned_id:
            return self.concerned.full_name
        return f"Unknown: {self.concerned_description}" if self.concerned_description else "Unknown"


class CaseMember(models.Model):
    """Someone the handler added to the case for a role in it."""

    class Role(models.TextChoices):
        INVESTIGATING_OFFICER = "investigating_officer", "Investigating officer"
        NOTE_TAKER = "note_taker", "Note-taker"
        HR_ADVISER = "hr_adviser", "HR adviser"
        OTHER = "other", "Other"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="breach_case_roles")
    role = models.CharField(max_length=30, choices=Role.choices)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["added_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], condition=Q(removed_at__isnull=True),
                                    name="breach_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"


class CaseEvent(models.Model):
    """The case timeline: every move and every piece of work, with who, when and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+")
    actor_label = models.CharField(max_length=254, blank=True)
    kind = models.CharField(max_length=40)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    summary = models.CharField(max_length=300)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case}: {self.summary}"


class CaseItem(models.Model):
    """Investigation work: notes, meetings, requests (evidence, co-operation 3.3, removal 3.4)."""

    class Kind(models.TextChoices):
        NOTE = "note", "Note"
        MEETING = "meeting", "Meeting record"
        EVIDENCE_REQUEST = "evidence_request", "Request for evidence"
        COOPERATE_REQUEST = "cooperate_request", "Request to co-operate (clause 3.3)"
        REMOVAL_REQUEST = "removal_request", "Request to remove the posting (clause 3.4)"

    #: Kinds addressed to a person, with a deadline and a "complied" answer.
    REQUEST_KINDS = frozenset({Kind.EVIDENCE_REQUEST, Kind.COOPERATE_REQUEST,
                               Kind.REMOVAL_REQUEST})

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    body = models.TextField()
    meeting_at = models.DateTimeField(null=True, blank=True)
    attendees = models.CharField(max_length=500, blank=True)
    addressed_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="breach_requests")
    deadline = models.DateField(null=True, blank=True)
    complied = models.BooleanField(null=True, blank=True)
    complied_note = models.CharField(max_length=300, blank=True)
    complied_recorded_at = models.DateTimeField(null=True, blank=True)
    #: A request still unanswered when the case closed is withdrawn then, on the record.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(complied__isnull=True),
                name="breach_request_answered_or_withdrawn_not_both",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["evidence_request", "cooperate_request",
                                       "removal_request"]) | Q(deadline__isnull=False),
                name="breach_request_has_deadline",
            ),
            models.CheckConstraint(
                condition=~Q(kind="meeting") | Q(meeting_at__isnull=False),
                name="breach_meeting_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.case})"

    @property
    def is_request(self) -> bool:
        return self.kind in self.REQUEST_KINDS

    @property
    def is_open(self) -> bool:
        """A task: a request with no answer recorded that was not withdrawn."""
        return self.is_request and self.complied is None and self.withdrawn_at is None

    @property
    def status_label(self) -> str:
        if not self.is_request:
            return ""
        if self.withdrawn_at:
            return f"Withdrawn: {self.withdrawn_reason}" if self.withdrawn_reason else "Withdrawn"
        if self.complied is None:
            return "Not yet answered"
        return "Complied with" if self.complied else "Not complied with"


class CaseMessage(models.Model):
    """A message to the reporter or the person concerned, or a reply from them to the handler."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    #: None means "to whoever handles the case" (a reply from a reporter or the person concerned).
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="breach_messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Message on {self.case}"


class ReportDraft(models.Model):
    """What a person typed into the report form, kept on the server until they send it."""

    class Kind(models.TextChoices):
        OWN = "own", "My own report"
        ON_BEHALF = "on_behalf", "Logged on someone's behalf"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="breach_drafts")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OWN)
    data = models.JSONField(default=dict, blank=True)
    #: The form page the draft belongs to. Once the report is sent (or the draft deleted) the
    #: token is spent, and nothing carrying it may write a draft again.
    token = models.UUIDField(default=uuid.uuid4)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "kind"], name="breach_one_draft_per_kind"),
        ]

    def __str__(self) -> str:
        return f"Draft report of {self.owner_id}"


class SpentDraftToken(models.Model):
    """The token of a report form that was sent or deleted: a late autosave or a resubmitted
    page carrying it is refused. Deliberately no owner and only a date: an anonymous report's
    spent token must not lead back to the person who sent it."""

    token = models.UUIDField(unique=True)
    spent_on = models.DateField()

    def __str__(self) -> str:
        return "Spent draft token"


class Evidence(models.Model):
    """One uploaded file, stored under PRIVATE_STORAGE_ROOT/breaches with a random name."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="evidence")
    draft = models.ForeignKey(ReportDraft, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="evidence")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    original_name = models.CharField(max_length=200)
    stored_name = models.CharField(max_length=80, unique=True)
    content_type = models.CharField(max_length=100)
    kind_label = models.CharField(max_length=40)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    description = models.CharField(max_length=300, blank=True)
    #: Appendix A 3.2: time, date and place of the site for each piece of cyber-bullying evidence.
    captured_at = models.DateTimeField(null=True, blank=True)
    site = models.CharField(max_length=300, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=False, draft__isnull=True)
                | Q(case__isnull=True, draft__isnull=False)
                | Q(deleted_at__isnull=False),
                name="breach_evidence_in_case_or_draft",
            ),
            models.CheckConstraint(condition=Q(size__gt=0), name="breach_evidence_not_empty"),
        ]

    def __str__(self) -> str:
        return f"Evidence {self.pk}"

    @property
    def path(self):
        from breaches.evidence import storage_dir

        return storage_dir() / self.stored_name
