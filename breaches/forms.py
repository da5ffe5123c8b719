from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone

from accounts.models import Academy, User
from accounts.pickers import PersonChoiceField, PersonSearchWidget
from breaches.models import CaseItem, CaseMember, Outcome, Platform, ReceivedVia, Severity
from breaches.selectors import citable_clauses


def _no_clauses():
    from policies.models import Clause

    return Clause.objects.none()


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]


class ClauseChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.number}: {obj.text}"


def people_choices():
    return User.objects.current().filter(is_active=True).select_related("academy").order_by(
        "full_name")


class ReportForm(forms.Form):
    IDENTITY_CHOICES = [
        ("named", "Use my name (the handler and the person concerned may know it was me)"),
        ("withhold", "Use my name, but do not tell the person concerned it was me"),
        ("anonymous", "Report anonymously (my identity is not stored at all)"),
    ]
    CONCERNED_CHOICES = [("person", "A person in the trust"),
                         ("unknown", "I do not know who it is, or they are not in the list")]

    concerned_kind = forms.ChoiceField(label="Who does it concern?", choices=CONCERNED_CHOICES,
                                       widget=forms.RadioSelect, initial="person")
    concerned = PersonChoiceField(label="Person concerned", queryset=User.objects.none(),
                                  required=False, widget=PersonSearchWidget("concerned"))
    concerned_description = forms.CharField(
        label="Describe who it might be", required=False, max_length=300,
        help_text="For example the account name shown on the post.",
    )
    academy = forms.ModelChoiceField(
        label="Which academy does it concern?", queryset=Academy.objects.all(), required=False,
        help_text="Only needed when you do not know the person.",
    )
    platform = forms.ChoiceField(label="Platform", choices=[("", "Choose…"), *Platform.choices])
    platform_other = forms.CharField(label="Other platform", required=False, max_length=100)
    links = forms.CharField(
        label="Links to the posting", required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One web address per line, starting with https://",
    )
    seen_at = forms.DateTimeField(label="When did you see it?", widget=DateTimeInput(),
                                  input_formats=DATETIME_FORMATS)
    description = forms.CharField(
        label="What happened?", widget=forms.Textarea(attrs={"rows": 6}), max_length=20000,
        help_text="What was posted, by whom, who could see it, and why it concerns you.",
    )
    clauses = ClauseChoiceField(
        label="Which parts of the policy may it breach?", queryset=_no_clauses(),
        required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Optional: tick any that apply. The handler decides what was breached.",
    )
    safeguarding = forms.BooleanField(
        label="This is a safeguarding concern about a child or young person", required=False,
    )
    cpoms_reference = forms.CharField(label="CPOMS reference", required=False, max_length=100,
                                      help_text="If you have already recorded it in CPOMS.")
    cyberbullying = forms.BooleanField(label="This is cyber-bullying of a member of staff",
                                       required=False)
    reporter_wishes = forms.CharField(
        label="What would you like to happen?", required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Cyber-bullying is addressed in consideration of the wishes of the person "
        "who reports it (Appendix A 3.2).",
    )
    route_to_ceo = forms.BooleanField(
        label="Send this report to the CEO instead of the Principal",
        required=False, help_text="For example if you have a conflict of interest with the "
        "Principal. The Principal will not see the report.",
    )
    identity = forms.ChoiceField(label="Your identity", choices=IDENTITY_CHOICES,
                                 widget=forms.RadioSelect, initial="named")
    evidence_file = forms.FileField(
        label="Evidence file", required=False,
        help_text="Screenshot (PNG, JPEG, GIF, WebP), PDF or saved web page (HTML, MHTML).",
    )
    evidence_description = forms.CharField(label="What the file shows", required=False,
                                           max_length=300)
    evidence_captured_at = forms.DateTimeField(
        label="Date and time the screenshot was taken", required=False,
        widget=DateTimeInput(), input_formats=DATETIME_FORMATS,
    )
    evidence_site = forms.CharField(
        label="Place: the site or page it was on", required=False, max_length=300,
        help_text="For cyber-bullying, keep the time, date and place of the site (Appendix A "
        "3.2).",
    )

    def __init__(self, *args, reporter=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.reporter = reporter
        people = people_choices()
        if reporter is not None:
            people = people.exclude(pk=reporter.pk)
        self.fields["concerned"].queryset = people
        self.fields["clauses"].queryset = citable_clauses().select_related("version__policy")

    def clean_links(self):
        validate = URLValidator(schemes=["http", "https"])
        lines = [line.strip() for line in self.cleaned_data["links"].splitlines()
                 if line.strip()]
        bad = []
        for line in lines:
            try:
                validate(line)
            except ValidationError:
                bad.append(line)
        if bad:
            raise ValidationError("These are not web addresses: " + ", ".join(bad[:5]))
        return "\n".join(lines)

    def clean_seen_at(self):
        value = self.cleaned_data["seen_at"]
        if value and value > timezone.now() + timezone.timedelta(minutes=5):
            raise ValidationError("That is in the future.")
        return value

    def clean(self):
        data = super().clean()
        if data.get("concerned_kind") == "person" and not data.get("concerned"):
            self.add_error("concerned", "Choose the person, or say you do not know who it is.")
        if data.get("concerned_kind") == "unknown":
            data["concerned"] = None
        if data.get("platform") == Platform.OTHER and not data.get("platform_other"):
            self.add_error("platform_other", "Name the platform.")
        if not data.get("safeguarding"):
            data["cpoms_reference"] = ""
        data["anonymous"] = data.get("identity") == "anonymous"
        data["withhold_identity"] = data.get("identity") in ("withhold", "anonymous")
        return data

    def evidence_fields_ok(self, *, cyberbullying: bool) -> bool:
        """For cyber-bullying each file needs the time, date and place of the site."""
        if not self.cleaned_data.get("evidence_file") or not cyberbullying:
            return True
        ok = True
        if not self.cleaned_data.get("evidence_captured_at"):
            self.add_error("evidence_captured_at", "For cyber-bullying give the date and time.")
            ok = False
        if not self.cleaned_data.get("evidence_site"):
            self.add_error("evidence_site", "For cyber-bullying give the site or page.")
            ok = False
        return ok


class OnBehalfForm(ReportForm):
    received_via = forms.ChoiceField(
        label="How was the report received?",
        choices=[c for c in ReceivedVia.choices if c[0] != ReceivedVia.PORTAL],
    )
    on_behalf_of = PersonChoiceField(
        label="Who made the report?", queryset=User.objects.none(), required=False,
        help_text="Leave empty if they are not in the list, and give their name below.",
        widget=PersonSearchWidget("on_behalf_of", empty_label="Not in the trust's list"),
    )
    reporter_name = forms.CharField(label="Name of the person who reported it", required=False,
                                    max_length=200,
                                    help_text="For example a parent or a member of the public.")

    field_order = ["received_via", "on_behalf_of", "reporter_name"]

    IDENTITY_CHOICES = [
        ("named", "They agreed to be named"),
        ("withhold", "Named, but not to be told to the person concerned"),
        ("anonymous", "They asked to stay anonymous (nothing about them is stored)"),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on_behalf_of"].queryset = people_choices()
        self.fields["identity"].choices = self.IDENTITY_CHOICES
        self.fields["identity"].label = "The reporter's identity"

    def clean(self):
        data = super().clean()
        if data.get("anonymous"):
            data["on_behalf_of"], data["reporter_name"] = None, ""
        elif not data.get("on_behalf_of") and not data.get("reporter_name"):
            self.add_error("on_behalf_of", "Say who made the report, or mark it anonymous.")
        if data.get("on_behalf_of") and data.get("concerned") == data.get("on_behalf_of"):
            self.add_error("concerned", "The reporter and the person concerned are the same.")
        return data


class TriageForm(forms.Form):
    handler = PersonChoiceField(label="Who handles the case", queryset=User.objects.none())
    severity = forms.ChoiceField(label="Severity", choices=Severity.choices,
                                 widget=forms.RadioSelect)
    safeguarding_confirmed = forms.TypedChoiceField(
        label="Is this a safeguarding matter?", choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda v: v == "yes", widget=forms.RadioSelect,
    )
    cpoms_reference = forms.CharField(
        label="CPOMS reference", required=False, max_length=100,
        help_text="Clause 10.3: a safeguarding matter is also recorded in CPOMS. Give its "
        "reference once it is there.",
    )
    reason = forms.CharField(label="Triage notes", required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, handlers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = handlers


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 4}))


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label="Outcome", choices=Outcome.choices,
                                widget=forms.RadioSelect)
    clauses_breached = ClauseChoiceField(label="Clauses found breached", required=False,
                                         queryset=_no_clauses(),
                                         widget=forms.CheckboxSelectMultiple)
    outcome_reasons = forms.CharField(label="Reasons", widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        from policies.models import Clause

        queryset = citable_clauses()
        if case is not None:
            queryset = Clause.objects.filter(
                pk__in=list(queryset.values_list("pk", flat=True))
                + list(case.cited_clauses.values_list("pk", flat=True))
            ).exclude(text="").exclude(level=0).order_by("version", "order")
            self.initial.setdefault("clauses_breached",
                                    list(case.cited_clauses.values_list("pk", flat=True)))
        self.fields["clauses_breached"].queryset = queryset.select_related("version__policy")


class AppealForm(forms.Form):
    reason = forms.CharField(label="Grounds of appeal",
                             widget=forms.Textarea(attrs={"rows": 6}))


class AppealDecisionForm(forms.Form):
    appeal_result = forms.ChoiceField(label="Decision", widget=forms.RadioSelect,
                                      choices=[("upheld", "Upheld"), ("dismissed", "Dismissed")])
    revised_outcome = forms.ChoiceField(
        label="Revised outcome (if upheld)", required=False,
        choices=[("", "No change"), *Outcome.choices],
    )
    appeal_reasons = forms.CharField(label="Reasons",
                                     widget=forms.Textarea(attrs={"rows": 6}))


class ItemForm(forms.Form):
    kind = forms.ChoiceField(label="What are you recording?", choices=CaseItem.Kind.choices)
    body = forms.CharField(label="Details", widget=forms.Textarea(attrs={"rows": 4}))
    meeting_at = forms.DateTimeField(label="Meeting date and time", required=False,
                                     widget=DateTimeInput(), input_formats=DATETIME_FORMATS)
    attendees = forms.CharField(label="Who attended", required=False, max_length=500)
    addressed_to = PersonChoiceField(
        label="Request addressed to", queryset=User.objects.none(), required=False,
        help_text="Requests to co-operate or to remove a posting go to the person concerned.",
        widget=PersonSearchWidget("case_person", empty_label="No one chosen"),
    )
    deadline = forms.DateField(label="Deadline", required=False, widget=DateInput(),
                               help_text="Leave empty for the standard number of working days.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["addressed_to"].queryset = people_choices()


class ComplianceForm(forms.Form):
    complied = forms.TypedChoiceField(label="Was the request complied with?",
                                      choices=[("yes", "Yes"), ("no", "No")],
                                      coerce=lambda v: v == "yes", widget=forms.RadioSelect)
    note = forms.CharField(label="Note", required=False, max_length=300)


class MemberForm(forms.Form):
    person = PersonChoiceField(label="Person", queryset=User.objects.none(),
                               widget=PersonSearchWidget("case_person"))
    role = forms.ChoiceField(label="Role in the case", choices=CaseMember.Role.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people_choices()


class MessageForm(forms.Form):
    to = forms.ChoiceField(label="To", choices=[("reporter", "The reporter"),
                                                ("concerned", "The person concerned")])
    body = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 4}))


class ReplyForm(forms.Form):
    body = forms.CharField(label="Your message", widget=forms.Textarea(attrs={"rows": 4}))


class NotifyConcernedForm(forms.Form):
    message = forms.CharField(
        label="What the person concerned is told",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="They will see this, the allegation and later the outcome. They never see "
        "the reporter's identity if it was withheld.",
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(label="Evidence file")
    description = forms.CharField(label="What the file shows", required=False, max_length=300)
    captured_at = forms.DateTimeField(label="Date and time it was captured", required=False,
                                      widget=DateTimeInput(), input_formats=DATETIME_FORMATS)
    site = forms.CharField(label="Place: the site or page it was on", required=False,
                           max_length=300)


class HearerForm(forms.Form):
    hearer = PersonChoiceField(label="Appeal heard by", queryset=User.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import Role

        self.fields["hearer"].queryset = people_choices().filter(
            role__in=[Role.CEO, Role.HR, Role.PRINCIPAL, Role.BOARD])


class LegalHoldForm(forms.Form):
    hold = forms.TypedChoiceField(label="Legal hold", coerce=lambda v: v == "on",
                                  choices=[("on", "Place a legal hold"),
                                           ("off", "Lift the legal hold")],
                                  widget=forms.RadioSelect)
    reason = forms.CharField(label="Reason", max_length=300)


class CpomsForm(forms.Form):
    reference = forms.CharField(label="CPOMS reference", max_length=100)
    reason = forms.CharField(label="Why it changes (when correcting a reference)",
                             max_length=300, required=False)


class AssignForm(forms.Form):
    handler = PersonChoiceField(label="New handler", queryset=User.objects.none())
    reason = forms.CharField(label="Reason", max_length=300)

    def __init__(self, *args, handlers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = handlers
