from django import forms

from notifications.kinds import CHOICE_LABELS, GROUPS


class PreferencesForm(forms.Form):
    """One radio group per kind of notification, offering only the choices it allows."""

    def __init__(self, *args, current: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for code, group in GROUPS.items():
            self.fields[code] = forms.ChoiceField(
                label=group.label, help_text=group.help, widget=forms.RadioSelect,
                choices=[(c, CHOICE_LABELS[c]) for c in group.choices],
                initial=current.get(code, group.default),
            )
