"""Choosing one person out of the whole trust without sending everyone to the browser.

A form field that picks a person stays a ``ModelChoiceField`` (``PersonChoiceField``) over the
people it allows, so the server refuses anyone else exactly as before. Only the widget changes:
``PersonSearchWidget`` renders a search box and, as radio buttons, the chosen person alone.
Typing asks ``accounts:person_search`` (htmx) for up to ``SEARCH_LIMIT`` matching people.
Searching needs htmx (vendored, served on every page): without JavaScript the chosen person is
still shown and sent, but no one else can be found. static/portal/portal.js makes Enter in the
search box search (instead of sending the form) and Down arrow move to the results.

Who may search whom is the table ``PICKERS``: each entry names the permission a person needs
to search it and the people it searches, which must be the form field's own queryset.
"""

import re
from dataclasses import dataclass

from django import forms
from django.db.models import Q, QuerySet
from django.forms.utils import flatatt
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.module_loading import import_string

SEARCH_MIN_CHARS = 2
SEARCH_LIMIT = 20
#: Field names and ids travel through the search URL; only these characters are echoed back.
SAFE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,100}$")


def person_label(person) -> str:
    """"Full Name (Job title, Academy)", as every person picker shows a person."""
    where = person.academy.name if person.academy_id else "Trust"
    return f"{person.full_name} ({person.job_title or person.get_role_display()}, {where})"


class PersonChoiceField(forms.ModelChoiceField):
    default_error_messages = {
        "invalid_choice": "That person cannot be chosen here. Search for the person and choose "
                          "them from the results.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if isinstance(self.widget, PersonSearchWidget):
            self.widget.legend = self.label

    def label_from_instance(self, obj):
        return person_label(obj)


def current_people() -> QuerySet:
    """Everyone still with the trust (HR's line manager choice)."""
    from accounts.models import User

    return User.objects.current().select_related("academy").order_by("full_name")


@dataclass(frozen=True)
class Picker:
    permission: str
    #: Dotted path to a function returning the people this picker offers: the same function
    #: the form field's queryset comes from (the field may narrow it further; the server
    #: check is always the field's own).
    people: str
    #: The function takes the person searching (their form's choices depend on who they are).
    for_user: bool = False

    def queryset(self, user) -> QuerySet:
        people = import_string(self.people)
        return people(user) if self.for_user else people()


#: Person pickers by the name used in the search URL: who may search (a permission, checked
#: with the same `can` as the form's page) and whom (the form field's own people).
PICKERS: dict[str, Picker] = {
    "concerned": Picker("breaches.report", "breaches.forms.people_choices"),
    "on_behalf_of": Picker("breaches.log_on_behalf", "breaches.forms.people_choices"),
    # A case team's request addressee or new member: the same people as "concerned", which
    # everyone may search already (the case pages check who may use these forms).
    "case_person": Picker("breaches.report", "breaches.forms.people_choices"),
    "line_manager": Picker("people.manage", "accounts.pickers.current_people"),
    "colleague": Picker("approvals.request", "approvals.forms.permission_colleagues",
                        for_user=True),
    "subject": Picker("approvals.request_monitoring", "approvals.selectors.monitorable_by",
                      for_user=True),
    "deputy": Picker("approvals.delegate", "approvals.routing.possible_deputies", for_user=True),
}


def search_people(queryset: QuerySet, q: str, limit: int = SEARCH_LIMIT) -> list:
    """Up to ``limit`` + 1 people whose name, email or job title contain every word of q."""
    for word in q.split()[:5]:
        queryset = queryset.filter(Q(full_name__icontains=word) | Q(email__icontains=word)
                                   | Q(job_title__icontains=word))
    return list(queryset.select_related("academy").order_by("full_name", "pk")[:limit + 1])


def results_context(*, name: str, id_prefix: str, matches=None, chosen=None, q: str = "",
                    searched: bool = False) -> dict:
    """What ``accounts/_person_results.html`` shows: the chosen person first (checked) unless
    they are among the matches, then the matches."""
    matches = list(matches or [])
    more = len(matches) > SEARCH_LIMIT
    matches = matches[:SEARCH_LIMIT]
    rows = []
    kept = chosen is not None and all(p.pk != chosen.pk for p in matches)
    if kept:  # listed so the choice is not lost, but it is not one of the matches
        rows.append({"pk": chosen.pk, "label": person_label(chosen), "checked": True,
                     "kept": True})
    rows += [{"pk": p.pk, "label": person_label(p), "checked": chosen is not None
              and p.pk == chosen.pk} for p in matches]
    return {"name": name, "id_prefix": id_prefix, "rows": rows, "q": q, "searched": searched,
            "kept": kept,
            "found": len(matches), "more": more, "min_chars": SEARCH_MIN_CHARS,
            "limit": SEARCH_LIMIT}


class PersonSearchWidget(forms.Widget):
    """A search box and the chosen person as a checked radio button (see the module doc)."""

    template_name = "accounts/widgets/person_search.html"

    def __init__(self, picker: str, *, empty_label: str | None = None, attrs=None):
        if picker not in PICKERS:
            raise KeyError(f"Unknown person picker {picker!r}")
        super().__init__(attrs)
        self.picker = picker
        self.empty_label = empty_label
        self.legend = None  # PersonChoiceField sets its label here
        self.choices = None  # set by ModelChoiceField to its ModelChoiceIterator

    def _chosen(self, value):
        if value in (None, "") or self.choices is None:
            return None
        try:
            pk = int(value)
        except (TypeError, ValueError):
            return None
        return self.choices.queryset.select_related("academy").filter(pk=pk).first()

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        box = dict(widget["attrs"])
        box.pop("required", None)  # the box may stay empty; the radio button is the answer
        id_prefix = box.get("id") or f"id_{name}"
        box["id"] = id_prefix
        box["aria-describedby"] = " ".join(filter(None, [f"{id_prefix}_how",
                                                         box.get("aria-describedby")]))
        chosen = self._chosen(value)
        widget.update({
            "attrs_html": flatatt(box),
            "legend": f"{self.legend or 'Person'}: choose one",
            "id_prefix": id_prefix,
            "search_url": reverse("accounts:person_search", args=[self.picker]) + "?"
            + urlencode({"name": name, "id": id_prefix}),
            "empty_label": self.empty_label,
            "empty_checked": chosen is None,
            "results": results_context(name=name, id_prefix=id_prefix, chosen=chosen),
        })
        return context

    def _render(self, template_name, context, renderer=None):
        from django.utils.safestring import mark_safe

        return mark_safe(render_to_string(template_name, context))

    def value_from_datadict(self, data, files, name):
        return data.get(name)
