from django import forms


class StaffImportForm(forms.Form):
    file = forms.FileField(
        label="Staff CSV file",
        help_text="UTF-8 CSV with the columns listed below, at most 2 MB.",
    )
