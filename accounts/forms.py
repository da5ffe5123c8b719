from django import forms

from accounts.permissions import EMAIL_CHANGED_BY_ADMIN_ONLY
from accounts.pickers import PersonChoiceField, PersonSearchWidget, current_people


class StaffImportForm(forms.Form):
    file = forms.FileField(
        label="Staff CSV file",
        help_text="UTF-8 CSV with the columns listed below, at most 2 MB.",
    )


class PersonForm(forms.ModelForm):
    """HR's form for one person. CEO and administrator roles are set by an administrator."""

    class Meta:
        from accounts.models import User

        model = User
        fields = ["full_name", "email", "academy", "job_title", "category", "role", "start_date",
                  "leaving_date", "line_manager", "portal_access"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "leaving_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "line_manager": PersonSearchWidget("line_manager", empty_label="No line manager"),
        }
        field_classes = {"line_manager": PersonChoiceField}

    def __init__(self, *args, editor=None, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import Role

        self.fields["academy"].required = True
        self.fields["start_date"].required = True
        allowed = {Role.STAFF, Role.PRINCIPAL, Role.HR, Role.BOARD}
        if editor is not None and editor.role == Role.ADMIN:
            allowed |= {Role.CEO, Role.ADMIN}
        current = self.instance.role if self.instance.pk else None
        if current and current not in allowed:
            allowed.add(current)
            self.fields["role"].disabled = True
        self.fields["role"].choices = [c for c in Role.choices if c[0] in allowed]
        self.editor_is_admin = editor is not None and editor.role == Role.ADMIN
        if (self.instance.pk and not self.editor_is_admin
                and self.instance.role in EMAIL_CHANGED_BY_ADMIN_ONLY):
            self.fields["email"].disabled = True
            self.fields["email"].help_text = (
                "Only an administrator can change the email address of someone with the "
                f"{self.instance.get_role_display()} role.")
        elif self.instance.pk:
            self.fields["email"].help_text = (
                "A new address takes effect once the person confirms it from that address; "
                "the current address is told.")
        managers = current_people()
        if self.instance.pk:
            managers = managers.exclude(pk=self.instance.pk)
        self.fields["line_manager"].queryset = managers

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def _check_email_change(self, cleaned) -> None:
        if not self.instance.pk or "email" not in self.changed_data or self.editor_is_admin:
            return
        if cleaned.get("role") in EMAIL_CHANGED_BY_ADMIN_ONLY:
            from accounts.models import Role

            self.add_error("email", "Only an administrator can change the email address of "
                                    f"someone with the {Role(cleaned['role']).label} role.")

    def clean(self):
        cleaned = super().clean()
        self._check_email_change(cleaned)
        start, leaving = cleaned.get("start_date"), cleaned.get("leaving_date")
        if start and leaving and leaving < start:
            self.add_error("leaving_date", "The leaving date is before the start date.")
        if cleaned.get("role") == "principal" and cleaned.get("academy") is not None:
            from accounts.models import User

            clash = User.objects.current().filter(role="principal", academy=cleaned["academy"])
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("role", f"{cleaned['academy']} already has a Principal: "
                                       f"{clash.first().full_name}. Change their role first.")
        return cleaned
