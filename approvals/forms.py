"""One form per kind of request, plus the decision, publication, delegation and routing forms.

Each request form knows which field is the main text, which fields go into the revision's
content (compared between versions) and which become columns on the request (routing, dates).
"""

import datetime

from django import forms
from django.utils import timezone

from accounts.models import Academy, User
from accounts.pickers import PersonChoiceField, PersonSearchWidget
from approvals.models import Kind, Outcome
from approvals.routing import possible_deputies
from approvals.selectors import monitorable_by
from approvals.uploads import EVIDENCE_TYPES, MEDIA_TYPES, check_upload
from core.dates import format_date, format_datetime
from core.uploads import UploadRejected, max_bytes

PLATFORMS = [
    ("facebook", "Facebook"), ("instagram", "Instagram"), ("x", "X (Twitter)"),
    ("linkedin", "LinkedIn"), ("youtube", "YouTube"), ("tiktok", "TikTok"),
    ("website", "Website or blog"), ("newsletter", "Online newsletter"), ("other", "Other"),
]
AUDIENCES = [
    ("public", "Public: anyone can see it"),
    ("parents", "Parents and carers (closed group)"),
    ("staff", "Staff only"),
    ("partners", "Partners and stakeholders"),
]
DEVICES = [
    ("phone", "Personal mobile phone"), ("camera", "Personal camera"),
    ("video", "Personal video recorder"), ("other", "Other personal device"),
]
MAX_MONITORING_DAYS = 90


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, allowed=MEDIA_TYPES, **kwargs):
        self.allowed = allowed
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned = [single(item, initial) for item in files if item]
        errors = []
        for upload in cleaned:
            try:
                check_upload(upload, allowed=self.allowed)
            except UploadRejected as exc:
                errors.append(str(exc))
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _future(value: datetime.datetime, label: str) -> datetime.datetime:
    if value <= timezone.now():
        raise forms.ValidationError(f"The {label} must be in the future.")
    return value


class RequestForm(forms.Form):
    kind: str = ""
    #: The field holding the main text of a revision.
    text_field: str = ""
    #: Fields stored in the revision's content (shown and compared between versions).
    content_fields: tuple[str, ...] = ()
    #: Allowed uploads, or None when the kind takes none.
    upload_types: frozenset[str] | None = None
    upload_label = "Images or video"

    title = forms.CharField(max_length=200, label="Short title",
                            help_text="A few words to find this request again.")

    def __init__(self, *args, user=None, existing_files=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.existing_files = list(existing_files)
        for field in self.fields.values():
            # Required only when a checkbox is ticked: not labelled "(optional)"; JS hides it.
            field.conditional_on = field.widget.attrs.get("data-conditional", "")
        if self.upload_types is not None:
            self.fields["files"] = MultipleFileField(
                required=False, allowed=self.upload_types, label=self.upload_label,
                help_text="You can choose several files, at most "
                f"{max_bytes() / 1_048_576:.0f} MB each.",
            )
            if self.existing_files:
                self.fields["keep_files"] = forms.MultipleChoiceField(
                    required=False, label="Files to keep from the previous version",
                    choices=[(str(a.pk), a.original_name) for a in self.existing_files],
                    widget=forms.CheckboxSelectMultiple,
                    initial=[str(a.pk) for a in self.existing_files],
                )
            self.order_fields(self.field_order)

    def content(self) -> dict:
        data = self.cleaned_data
        out = {}
        for name in self.content_fields:
            value = data.get(name)
            if isinstance(value, User):
                value = {"id": value.pk, "name": value.full_name}
            elif isinstance(value, datetime.datetime):
                value = timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
            elif isinstance(value, datetime.date):
                value = value.isoformat()
            out[name] = value
        return out

    def text(self) -> str:
        return self.cleaned_data.get(self.text_field, "") or ""

    def columns(self) -> dict:
        """Request columns set from this form (routing, dates)."""
        return {}

    def kept_attachments(self) -> list:
        keep = set(self.cleaned_data.get("keep_files") or [])
        return [a for a in self.existing_files if str(a.pk) in keep]

    @classmethod
    def initial_from(cls, req, revision) -> dict:
        initial = {"title": req.title, cls.text_field: revision.text}
        for name in cls.content_fields:
            value = revision.content.get(name)
            if isinstance(value, dict) and "id" in value:
                value = value["id"]
            initial[name] = value
        return initial


class PostForm(RequestForm):
    kind = Kind.POST
    text_field = "text"
    content_fields = ("platform", "account", "publish_at", "audience", "image_description",
                      "pupils_appear", "consent_confirmed", "consent_note", "uses_brand",
                      "brand_detail")
    field_order = ["title", "platform", "account", "text", "files", "keep_files",
                   "image_description", "publish_at", "audience", "pupils_appear",
                   "consent_confirmed", "consent_note", "uses_brand", "brand_detail"]
    upload_types = MEDIA_TYPES

    platform = forms.ChoiceField(choices=PLATFORMS)
    account = forms.CharField(max_length=200, label="Account or page",
                              help_text="For example @NorthfieldPrimary or the page’s name.")
    text = forms.CharField(widget=forms.Textarea, label="Text of the post")
    image_description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}),
        label="Description of the images or video",
        help_text="Used as the alternative text for people who cannot see them.",
    )
    publish_at = forms.DateTimeField(widget=DateTimeInput(), label="Planned publication time",
                                     help_text="Not decided by then, the request expires.")
    audience = forms.ChoiceField(choices=AUDIENCES)
    pupils_appear = forms.BooleanField(required=False, label="Pupils appear in the images or video")
    consent_confirmed = forms.BooleanField(
        required=False,
        label="I have checked that every pupil shown has current photo consent (clause 10.6 b))",
        widget=forms.CheckboxInput(attrs={"data-conditional": "pupils_appear"}),
    )
    consent_note = forms.CharField(
        required=False, max_length=300, label="How consent was checked",
        help_text="Required when pupils appear. For example: the school photo consent list, "
        "checked on 20/11.",
        widget=forms.TextInput(attrs={"data-conditional": "pupils_appear"}),
    )
    uses_brand = forms.BooleanField(
        required=False, label="The post uses the trust’s or an academy’s logo or brand (10.5 c))"
    )
    brand_detail = forms.CharField(
        required=False, max_length=300, label="Which logo, brand name or slogan",
        help_text="Required when the post uses a logo or brand.",
        widget=forms.TextInput(attrs={"data-conditional": "uses_brand"}),
    )

    def clean_publish_at(self):
        return _future(self.cleaned_data["publish_at"], "planned publication time")

    def clean(self):
        data = super().clean()
        if data.get("pupils_appear") and not data.get("consent_confirmed"):
            self.add_error("consent_confirmed",
                           "Pupils appear: confirm that you have checked their consent.")
        if data.get("pupils_appear") and not data.get("consent_note", "").strip():
            self.add_error("consent_note", "Say how you checked the pupils’ consent.")
        if data.get("uses_brand") and not data.get("brand_detail", "").strip():
            self.add_error("brand_detail", "Say which logo or brand the post uses.")
        has_media = bool(data.get("files")) or bool(data.get("keep_files"))
        if has_media and not data.get("image_description", "").strip():
            self.add_error("image_description", "Describe the images or video.")
        return data

    def columns(self) -> dict:
        publish_at = self.cleaned_data["publish_at"]
        return {"account": self.cleaned_data["account"], "publish_at": publish_at,
                "due_at": publish_at}


class MediaForm(RequestForm):
    kind = Kind.MEDIA
    text_field = "question"
    content_fields = ("outlet", "journalist", "contact", "deadline", "proposed_response")

    outlet = forms.CharField(max_length=200, label="Newspaper, programme or outlet")
    journalist = forms.CharField(max_length=200, label="Journalist’s name")
    contact = forms.CharField(max_length=200, required=False,
                              label="Journalist’s email or phone")
    question = forms.CharField(widget=forms.Textarea, label="What they asked")
    deadline = forms.DateTimeField(widget=DateTimeInput(), label="Their deadline")
    proposed_response = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}),
        label="Suggested response (optional)",
    )

    def clean_deadline(self):
        return _future(self.cleaned_data["deadline"], "deadline")

    def columns(self) -> dict:
        return {"due_at": self.cleaned_data["deadline"]}


class PeriodMixin(forms.Form):
    valid_from = forms.DateField(widget=DateInput(), label="From")
    valid_until = forms.DateField(widget=DateInput(), label="Until",
                                  help_text="The agreement ends by itself on this date.")

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", "The end date must be on or after the start date.")
        if end and end < timezone.localdate():
            self.add_error("valid_until", "The end date is in the past.")
        return data

    def period_columns(self) -> dict:
        return {"valid_from": self.cleaned_data["valid_from"],
                "valid_until": self.cleaned_data["valid_until"]}


class ProfessionalUseForm(PeriodMixin, RequestForm):
    kind = Kind.PROFESSIONAL_USE
    text_field = "purpose"
    content_fields = ("site", "equipment", "valid_from", "valid_until")
    field_order = ["title", "site", "purpose", "equipment", "valid_from", "valid_until"]

    site = forms.CharField(max_length=200, label="Site, network or blog")
    purpose = forms.CharField(widget=forms.Textarea, label="Professional purpose",
                              help_text="Why your work needs it (clause 6.1).")
    equipment = forms.CharField(max_length=200, label="Trust equipment used",
                                help_text="For example: school laptop, classroom iPad.")

    def columns(self) -> dict:
        return self.period_columns()


class DeviceForm(PeriodMixin, RequestForm):
    kind = Kind.DEVICE
    text_field = "reason"
    content_fields = ("device", "circumstances", "valid_from", "valid_until")
    field_order = ["title", "device", "reason", "circumstances", "valid_from", "valid_until"]

    device = forms.ChoiceField(choices=DEVICES)
    reason = forms.CharField(widget=forms.Textarea, label="Why you need it",
                             help_text="For example: on call for a medical condition.")
    circumstances = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="When and where you would use it",
        help_text="Use must be out of the view of pupils (clause 6.4).",
    )

    def columns(self) -> dict:
        return self.period_columns()


class MonitoringForm(RequestForm):
    kind = Kind.MONITORING
    text_field = "reason"
    content_fields = ("subject", "foundation", "scope", "start", "days", "presentation")

    subject = PersonChoiceField(queryset=User.objects.none(),
                                label="Member of staff to be monitored",
                                widget=PersonSearchWidget("subject"))
    reason = forms.CharField(widget=forms.Textarea, label="Reason")
    foundation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), label="Foundation",
        help_text="The facts that make monitoring necessary and proportionate (clause 7.2).",
    )
    scope = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}),
                            label="Scope: which systems and activity")
    start = forms.DateField(widget=DateInput(), label="Start date")
    days = forms.IntegerField(min_value=1, max_value=MAX_MONITORING_DAYS,
                              label="Duration in days",
                              help_text=f"At most {MAX_MONITORING_DAYS}; it ends by itself.")
    presentation = forms.CharField(
        required=False, max_length=300, label="How IT should present the information",
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["subject"].queryset = monitorable_by(user)

    def clean_start(self):
        start = self.cleaned_data["start"]
        if start < timezone.localdate():
            raise forms.ValidationError("The start date is in the past.")
        return start

    def columns(self) -> dict:
        start, days = self.cleaned_data["start"], self.cleaned_data["days"]
        return {"subject_person": self.cleaned_data["subject"], "valid_from": start,
                "valid_until": start + datetime.timedelta(days=days - 1)}


def permission_colleagues(user):
    """Colleagues whose permission a post may ask for: anyone current who signs in."""
    qs = User.objects.current().filter(is_active=True, portal_access=True)
    return qs.exclude(pk=user.pk) if user else qs


class PermissionForm(RequestForm):
    kind = Kind.PERMISSION
    text_field = "what"
    content_fields = ("colleague", "stakeholder", "organisation", "stakeholder_email", "where",
                      "valid_until")
    upload_types = EVIDENCE_TYPES
    upload_label = "Their written permission (PDF or image)"

    colleague = PersonChoiceField(
        queryset=User.objects.none(), required=False, label="Colleague",
        help_text="A colleague with a portal login gives their permission here themselves.",
        widget=PersonSearchWidget("colleague", empty_label="No colleague (a stakeholder)"),
    )
    stakeholder = forms.CharField(required=False, max_length=200,
                                  label="Or: stakeholder’s name (not a colleague)")
    organisation = forms.CharField(required=False, max_length=200, label="Their organisation")
    stakeholder_email = forms.EmailField(required=False, label="Their email")
    what = forms.CharField(widget=forms.Textarea, label="What you want to post about them")
    where = forms.CharField(max_length=200, label="Where it will be posted")
    valid_until = forms.DateField(widget=DateInput(), required=False, label="Permission until",
                                  help_text="Leave empty for this post only.")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["colleague"].queryset = permission_colleagues(user)

    def clean(self):
        data = super().clean()
        colleague, stakeholder = data.get("colleague"), data.get("stakeholder", "").strip()
        if bool(colleague) == bool(stakeholder):
            self.add_error("colleague", "Choose a colleague, or name a stakeholder (one only).")
        has_evidence = bool(data.get("files")) or bool(data.get("keep_files"))
        if stakeholder and not has_evidence:
            self.add_error("files", "Attach the stakeholder’s written permission.")
        until = data.get("valid_until")
        if until and until < timezone.localdate():
            self.add_error("valid_until", "The end date is in the past.")
        return data

    def columns(self) -> dict:
        until = self.cleaned_data.get("valid_until")
        return {"subject_person": self.cleaned_data.get("colleague"),
                "valid_from": timezone.localdate() if until else None, "valid_until": until}


FORMS: dict[str, type[RequestForm]] = {
    Kind.POST: PostForm, Kind.MEDIA: MediaForm, Kind.PROFESSIONAL_USE: ProfessionalUseForm,
    Kind.DEVICE: DeviceForm, Kind.MONITORING: MonitoringForm, Kind.PERMISSION: PermissionForm,
}

#: Labels for showing a revision's content, per kind (field name -> label).
def content_labels(kind: str) -> list[tuple[str, str]]:
    form_class = FORMS[kind]
    labels = []
    for name in form_class.content_fields:
        field = form_class.base_fields[name]
        labels.append((name, str(field.label or name.replace("_", " ").capitalize())))
    return labels


def display_value(name: str, value, kind: str) -> str:
    form_class = FORMS[kind]
    field = form_class.base_fields.get(name)
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dict):
        return str(value.get("name", ""))
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        return str(dict(field.choices).get(value, value))
    if isinstance(field, forms.DateTimeField):
        try:
            return format_datetime(datetime.datetime.fromisoformat(value))
        except ValueError:
            return str(value)
    if isinstance(field, forms.DateField):
        try:
            return format_date(datetime.date.fromisoformat(value))
        except ValueError:
            return str(value)
    return str(value)


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(choices=Outcome.choices, widget=forms.RadioSelect,
                                label="Your decision")
    reasons = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Written reasons",
                              help_text="Always required; the requester sees them.")
    conditions = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}),
        label="Conditions (requirements and restrictions)",
        help_text="Required when approving with conditions.",
    )

    def __init__(self, *args, kind: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind == Kind.MEDIA:
            self.fields["response"] = forms.CharField(
                required=False, widget=forms.Textarea(attrs={"rows": 5}),
                label="Approved response (in writing)",
                help_text="Required to approve: the only words the requester may give.",
            )
        if kind == Kind.PERMISSION:
            self.fields["outcome"].choices = [
                (Outcome.APPROVE, "Give permission"),
                (Outcome.CONDITIONS, "Give permission with conditions"),
                (Outcome.CHANGES, "Ask for changes"),
                (Outcome.REFUSE, "Refuse permission"),
            ]
        # Required only for some decisions: not labelled "(optional)"; their help says when.
        for name in ("conditions", "response"):
            if name in self.fields:
                self.fields[name].conditional_on = "outcome"

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        if outcome == Outcome.CONDITIONS and not data.get("conditions", "").strip():
            self.add_error("conditions", "Write the conditions you are approving with.")
        if (self.kind == Kind.MEDIA and outcome in (Outcome.APPROVE, Outcome.CONDITIONS)
                and not data.get("response", "").strip()):
            self.add_error("response", "Write the approved response.")
        return data


class PublicationForm(forms.Form):
    url = forms.URLField(max_length=500, label="Link to the published post",
                         assume_scheme="https")
    published_at = forms.DateTimeField(widget=DateTimeInput(), label="When it was published")
    as_approved = forms.TypedChoiceField(
        choices=[("yes", "Yes: exactly the approved text, images and video"),
                 ("no", "No: it was published differently")],
        coerce=lambda v: v == "yes", widget=forms.RadioSelect,
        label="Was it published exactly as approved?",
    )
    differences = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  label="What was different",
                                  help_text="Required when it was published differently.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["differences"].conditional_on = "as_approved"

    def clean(self):
        data = super().clean()
        if data.get("as_approved") is False and not data.get("differences", "").strip():
            self.add_error("differences", "Say what was different.")
        return data


class ReasonForm(forms.Form):
    reasons = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Reasons")


class DelegationForm(forms.Form):
    deputy = PersonChoiceField(queryset=User.objects.none(), label="Deputy",
                               widget=PersonSearchWidget("deputy"))
    starts_on = forms.DateField(widget=DateInput(), label="From")
    ends_on = forms.DateField(widget=DateInput(), label="Until (inclusive)")
    reason = forms.CharField(max_length=300, required=False, label="Reason",
                             help_text="For example: annual leave.")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deputy"].queryset = possible_deputies(user)

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", "The end date must be on or after the start date.")
        if end and end < timezone.localdate():
            self.add_error("ends_on", "The end date is in the past.")
        return data


class TwoStepRuleForm(forms.Form):
    academy = forms.ModelChoiceField(queryset=Academy.objects.filter(is_central=False),
                                     required=False, empty_label="Every academy")
    account = forms.CharField(max_length=200, required=False, label="Account (optional)",
                              help_text="Only posts on this account, e.g. @NorthfieldPrimary.")

    def clean(self):
        data = super().clean()
        if not data.get("academy") and not data.get("account", "").strip():
            raise forms.ValidationError("Choose an academy, name an account, or both.")
        return data
