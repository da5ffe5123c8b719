from django import forms

from policies.models import Policy, PolicyVersion

#: Versions an audit pack can be made for (they went through approval).
PACKABLE_STATUSES = [
    PolicyVersion.Status.APPROVED, PolicyVersion.Status.RATIFIED,
    PolicyVersion.Status.PUBLISHED, PolicyVersion.Status.SUPERSEDED,
]


def subject_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    groups = []
    versions = PolicyVersion.objects.filter(status__in=PACKABLE_STATUSES).select_related("policy")
    by_policy: dict[int, list[PolicyVersion]] = {}
    for version in versions.order_by("policy__title", "-created_at"):
        by_policy.setdefault(version.policy_id, []).append(version)
    for policy in Policy.objects.filter(pk__in=by_policy).order_by("title"):
        options = [(f"version:{v.pk}", f"Version {v.label} ({v.get_status_display().lower()})")
                   for v in by_policy[policy.pk]]
        options.append((f"policy:{policy.pk}", "The version in force at the end of the period"))
        groups.append((policy.title, options))
    return groups


class PolicyPackForm(forms.Form):
    subject = forms.ChoiceField(
        label="Policy and version",
        help_text="Choose a version, or the version that was in force at the end of the period.",
    )
    date_from = forms.DateField(
        label="Period from (optional)", required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Limits the approvals and breach statistics to this period.",
    )
    date_to = forms.DateField(
        label="Period to (optional)", required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django describes each control by "<id>_helptext" and "<id>_error" (the template
        # prints both), so the field at fault is described by its error too.
        self.fields["subject"].choices = [("", "Choose…"), *subject_choices()]

    def clean(self):
        data = super().clean()
        subject = data.get("subject") or ""
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", "The end of the period must be on or after its start.")
        kind, _, pk = subject.partition(":")
        data["version"] = data["policy"] = None
        if kind == "version":
            data["version"] = PolicyVersion.objects.filter(
                pk=pk, status__in=PACKABLE_STATUSES).select_related("policy").first()
            if data["version"] is None:
                self.add_error("subject", "That version is not available for an audit pack.")
        elif kind == "policy":
            data["policy"] = Policy.objects.filter(pk=pk).first()
            if data["policy"] is None:
                self.add_error("subject", "That policy no longer exists.")
            elif not date_to:
                self.add_error("date_to", "Give the end of the period: the pack shows the "
                                          "version in force on that day.")
        return data


class VerifyForm(forms.Form):
    file = forms.FileField(
        label="Audit pack PDF",
        help_text="The PDF exactly as you received it, at most 50 MB.",
    )

    MAX_BYTES = 50 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("The file is larger than 50 MB: it is not an audit pack.")
        return upload
