from django import forms

from policies.models import Clause


class QuestionForm(forms.Form):
    text = forms.CharField(label="Question", max_length=500)
    choices = forms.CharField(
        label="Possible answers", widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One answer per line, at least two.",
    )
    correct = forms.IntegerField(
        label="Number of the correct answer", min_value=1,
        help_text="1 for the first line, 2 for the second, and so on.",
    )
    clause = forms.ModelChoiceField(
        label="Clause to re-read after a wrong answer", queryset=Clause.objects.none(),
    )
    order = forms.IntegerField(label="Position", min_value=1, initial=1)

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clause"].queryset = Clause.objects.filter(version=version).order_by("order")
        self.fields["clause"].label_from_instance = lambda c: f"{c.number} {c.heading or c.text}"[
            :90]

    def clean(self):
        data = super().clean()
        lines = [line.strip() for line in data.get("choices", "").splitlines() if line.strip()]
        if len(lines) < 2:
            self.add_error("choices", "Give at least two possible answers, one per line.")
        elif data.get("correct") and data["correct"] > len(lines):
            self.add_error("correct", f"There are only {len(lines)} answers.")
        data["choice_list"] = lines
        return data


class OnBehalfForm(forms.Form):
    confirm = forms.BooleanField(
        label="I confirm the statement above is true.", required=True,
        error_messages={"required": "Tick the box to confirm your attestation."},
    )
    note = forms.CharField(
        label="How the policy was gone through (optional)", required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: read aloud together in the staff room on Monday morning.",
    )


class NudgeForm(forms.Form):
    message = forms.CharField(label="Message (optional)", required=False, max_length=500,
                              widget=forms.Textarea(attrs={"rows": 2}))


class TokenOnlyForm(forms.Form):
    allow = forms.BooleanField(
        label="Allow people without a portal account to acknowledge from the signed link alone",
        required=False,
    )
