from django import forms
from django.utils import timezone

from accounts.models import Academy, Role
from documents.reader import MAX_WORD_BYTES, DocumentReadError, policy_text_from_file
from policies import editing
from policies.models import PolicyReview, PolicyVersion

MAX_IMPORT_BYTES = 2 * 1024 * 1024


class DateInput(forms.DateInput):
    input_type = "date"


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Policy document (Word or plain text)", required=False,
        help_text="A Word document (.docx, at most 10 MB) or a UTF-8 .txt file (at most 2 MB) "
        "in the form of the Social Media Policy.",
    )
    text = forms.CharField(
        label="…or paste the text", required=False, widget=forms.Textarea(attrs={"rows": 8}),
    )
    title = forms.CharField(
        label="Title", required=False, max_length=200,
        help_text="Leave empty to use the title line of the document.",
    )
    owner_role = forms.ChoiceField(
        label="Policy owner", choices=[(Role.CEO, "CEO"), (Role.HR, "HR")], initial=Role.CEO,
        help_text="Who is reminded when the policy falls due for review (HR always is).",
    )
    confirm_warnings = forms.BooleanField(
        label="I have checked the warnings above: import the document as written",
        required=False,
    )
    source_name = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    # Set by the preview's "Import as a draft" (the text comes back in ``text``): only then is
    # anything saved, and only if the text is the one previewed (``previewed_digest``).
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)
    previewed_digest = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        upload, text = data.get("file"), (data.get("text") or "").strip()
        if upload and text:
            raise forms.ValidationError("Upload a file or paste the text, not both.")
        if upload:
            # A Word document becomes the same text (documents app, issue 19).
            raw = upload.read(MAX_WORD_BYTES + 1)
            try:
                word_text = policy_text_from_file(upload.name, raw)
            except DocumentReadError as error:
                raise forms.ValidationError(
                    f"{error.message[:1].upper()}{error.message[1:]}."
                ) from None
            if word_text is not None:
                text = word_text
            elif upload.size > MAX_IMPORT_BYTES:
                raise forms.ValidationError("The file is larger than 2 MB.")
            else:
                try:
                    text = raw.decode("utf-8-sig")
                except UnicodeDecodeError:
                    raise forms.ValidationError(
                        "This file is not UTF-8 plain text. If it is a PDF, upload the Word "
                        "document (.docx) it was made from, or save it as plain text (.txt)."
                    ) from None
            data["source_name"] = upload.name
        data["source_name"] = data.get("source_name") or "pasted text"
        if not text:
            raise forms.ValidationError("Choose a file or paste the text of the policy.")
        data["document_text"] = text
        return data


class RegisterDocumentForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200,
                            help_text="As the other policies mention it, e.g. ICT User Policy.")
    summary = forms.CharField(label="Summary", required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    document = forms.FileField(label="Document", help_text="PDF, Word, OpenDocument or text, "
                               "at most 10 MB.")


class TransitionForm(forms.Form):
    reason = forms.CharField(
        label="Reason or comment for the record", widget=forms.Textarea(attrs={"rows": 3}),
    )
    on = forms.DateField(
        label="Date it happened", required=False, widget=DateInput,
        help_text="Leave empty for today.",
    )

    def __init__(self, *args, transition, **kwargs):
        super().__init__(*args, **kwargs)
        self.transition = transition
        name = transition.name
        if name == "consult":
            self.fields["bodies"] = forms.CharField(
                label="Consulted with", initial="Joint Negotiating Council (JNC) / recognised "
                "trade unions", max_length=300,
            )
            self.fields["on"].label = "Consultation started on"
        elif name == "end_consultation":
            self.fields["comments"] = forms.CharField(
                label="What the unions said", required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            self.fields["on"].label = "Consultation ended on"
        elif name == "skip_consultation":
            self.fields["reason"].label = "Why consultation does not apply"
        elif name == "ratify":
            del self.fields["on"]
            self.fields["ratified_on"] = forms.DateField(
                label="Date of the LGB Cluster meeting", widget=DateInput,
            )
            self.fields["meeting"] = forms.CharField(
                label="Meeting or minute reference", required=False, max_length=300,
            )
        elif name == "publish":
            del self.fields["on"]
            self.fields["change_kind"] = forms.ChoiceField(
                label="Kind of change", choices=PolicyVersion.ChangeKind.choices,
                widget=forms.RadioSelect,
            )
            self.fields["change_summary"] = forms.CharField(
                label="Change summary for staff", widget=forms.Textarea(attrs={"rows": 3}),
            )

    def clean_ratified_on(self):
        value = self.cleaned_data["ratified_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("The meeting date cannot be in the future.")
        return value


class ClauseForm(forms.Form):
    number = forms.CharField(label="Number", max_length=30,
                             help_text="As the document numbers it, e.g. 5.1 or 5.1 f).")
    text = forms.CharField(label="Text", widget=forms.Textarea(attrs={"rows": 6}))


class AddClauseForm(forms.Form):
    after = forms.ChoiceField(label="Add after")
    level = forms.TypedChoiceField(
        label="Kind", coerce=int, choices=list(editing.LEVEL_NAMES.items()), initial=1,
    )
    text = forms.CharField(label="Text of the new clause",
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, clauses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["after"].choices = [("", "The start of the policy")] + [
            (str(c.pk), f"{c.number} {c.text[:60]}") for c in clauses
        ]


class ReplaceTextForm(forms.Form):
    text = forms.CharField(
        label="Whole text", widget=forms.Textarea(attrs={"rows": 30, "class": "policy-source"}),
        help_text="One clause per line: '1. Section', '- 1.1 Clause', ' - a) item', "
        "'   - i. sub-item', 'Appendix A - Title'. A line without a number continues the "
        "clause above.",
    )


class LabelForm(forms.Form):
    label = forms.SlugField(label="Version label", max_length=40,
                            help_text="Shown in links, e.g. 2026-11.")


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(label="Date of the review", widget=DateInput)
    reviewer_name = forms.CharField(label="Reviewed by", max_length=200)
    unions_consulted = forms.CharField(
        label="Trade unions consulted", required=False, max_length=500,
        help_text="Reviews are made in consultation with the recognised unions.",
    )
    outcome = forms.ChoiceField(label="Outcome", choices=PolicyReview.Outcome.choices,
                                widget=forms.RadioSelect)
    notes = forms.CharField(label="Notes", required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, review_clause=None, **kwargs):
        super().__init__(*args, **kwargs)
        if review_clause is not None:
            self.fields["unions_consulted"].help_text = (
                f"Clause {review_clause.number} of version {review_clause.version.label}: "
                f"{review_clause.text[:160]}")

    def clean_reviewed_on(self):
        value = self.cleaned_data["reviewed_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("The review date cannot be in the future.")
        return value


class AddendumForm(forms.Form):
    text = forms.CharField(
        label="Local contacts and arrangements", widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Shown to this academy's staff after the policy, and part of what they "
        "acknowledge.",
    )


class AddendumAcademyForm(forms.Form):
    academy = forms.ModelChoiceField(label="Academy", queryset=Academy.objects.none())

    def __init__(self, *args, academies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["academy"].queryset = academies


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason or comment", required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class PolicySettingsForm(forms.Form):
    summary = forms.CharField(label="Summary", required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    owner_role = forms.ChoiceField(
        label="Policy owner", choices=[(Role.CEO, "CEO"), (Role.HR, "HR")],
        help_text="Holders of this role (and HR) are reminded when a review falls due.",
    )
    review_interval_months = forms.IntegerField(
        label="Review interval (months)", min_value=1, max_value=120,
        help_text="24 for a policy reviewed every two years.",
    )
    acknowledgement_due_days = forms.IntegerField(
        label="Days staff have to acknowledge", min_value=1, max_value=365,
    )
    requires_acknowledgement = forms.BooleanField(
        label="Staff must acknowledge it", required=False,
    )
    audience_academies = forms.ModelMultipleChoiceField(
        label="Academies", required=False, queryset=Academy.objects.all(),
        widget=forms.CheckboxSelectMultiple, help_text="None ticked: every academy.",
    )
    audience_categories = forms.MultipleChoiceField(
        label="Categories of people", required=False, widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: everyone the policy covers (clause 2).",
    )
    audience_roles = forms.MultipleChoiceField(
        label="Roles", required=False, choices=Role.choices, widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every role.",
    )

    def __init__(self, *args, review_clause=None, **kwargs):
        from accounts.models import Category

        super().__init__(*args, **kwargs)
        self.fields["audience_categories"].choices = Category.choices
        if review_clause is not None:
            self.fields["review_interval_months"].help_text = (
                f"Clause {review_clause.number} of version {review_clause.version.label} says: "
                f"{review_clause.text[:160]}")


class CoverForm(forms.Form):
    """The cover sheet of a draft, field by field as the document writes it."""

    def __init__(self, *args, cover: dict, **kwargs):
        from policies.cover import COVER_FIELDS, display

        super().__init__(*args, **kwargs)
        for f in COVER_FIELDS:
            self.fields[f.key] = forms.CharField(
                label=f.label, required=False, max_length=300, help_text=f.help,
                initial=display(cover, f.key),
            )

    def clean(self):
        from policies.cover import normalise_cover

        data = super().clean()
        try:
            normalise_cover(data)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        return data
