"""Every form with a field that is required only in some cases (required-when): when that
field is missing, the page comes back with every choice and text as typed, and the field at
fault is marked invalid and described by its error message."""

import pytest
from django.urls import reverse

from tests.approvals.conftest import decide, make_media, make_post, soon
from tests.breaches.conftest import publish_policy
from tests.htmlcheck import Page

WHEN = soon(5).strftime("%Y-%m-%dT%H:%M")


def _decision_with_conditions(org):
    req = make_post(org.staff)
    return ("principal", reverse("approvals:decide", args=[req.pk]),
            {"outcome": "approve_with_conditions", "reasons": "A good post for parents.",
             "conditions": ""},
            "conditions", {"outcome": ["approve_with_conditions"],
                           "reasons": "A good post for parents."})


def _media_approval_without_response(org):
    req = make_media(org.staff)
    return ("principal", reverse("approvals:decide", args=[req.pk]),
            {"outcome": "approve", "reasons": "Fine to answer.", "response": ""},
            "response", {"outcome": ["approve"], "reasons": "Fine to answer."})


def _post(**extra):
    return {"title": "Sports day", "platform": "instagram", "account": "@North",
            "text": "What a day it was.", "publish_at": WHEN, "audience": "parents", **extra}


def _post_with_pupils_and_no_consent_note(org):
    return ("staff", reverse("approvals:create", args=["post"]),
            _post(pupils_appear="on", consent_confirmed="on", consent_note=""),
            "consent_note", {"title": "Sports day", "platform": ["instagram"],
                             "text": "What a day it was.", "pupils_appear": ["on"],
                             "audience": ["parents"], "publish_at": WHEN})


def _post_with_brand_and_no_detail(org):
    return ("staff", reverse("approvals:create", args=["post"]),
            _post(uses_brand="on", brand_detail=""),
            "brand_detail", {"account": "@North", "uses_brand": ["on"]})


def _permission_with_nobody(org):
    return ("staff", reverse("approvals:create", args=["permission"]),
            {"title": "Photo of Sam", "what": "A photo of the choir.", "where": "Facebook",
             "organisation": "Choir friends"},
            "colleague", {"what": "A photo of the choir.", "where": "Facebook",
                          "organisation": "Choir friends"})


def _publication_differently_without_saying_how(org):
    req = make_post(org.staff)
    decide(req, org.principal)
    return ("staff", reverse("approvals:publication", args=[req.pk]),
            {"url": "https://example.org/p/1", "published_at": "2026-11-20T10:00",
             "as_approved": "no", "differences": ""},
            "differences", {"url": "https://example.org/p/1", "as_approved": ["no"]})


def _policy_pack_in_force_without_end_date(org):
    version = publish_policy()
    return ("hr", reverse("auditpacks:index"),
            {"subject": f"policy:{version.policy_id}", "date_from": "2026-01-01"},
            "date_to", {"subject": [f"policy:{version.policy_id}"],
                        "date_from": "2026-01-01"})


def _report_on_another_platform_without_naming_it(org):
    publish_policy()
    return ("staff", reverse("breaches:report_new"),
            {"concerned_kind": "person", "concerned": org.colleague.pk, "platform": "other",
             "platform_other": "", "links": "https://example.org/x", "identity": "named",
             "seen_at": "2026-11-20T18:30", "description": "A photo of a pupil.",
             "action": "submit"},
            "platform_other", {"platform": ["other"], "description": "A photo of a pupil.",
                               "links": "https://example.org/x"})


def _question_with_one_answer(org):
    version = publish_policy()
    clause = version.clauses.order_by("order").first()
    return ("hr", reverse("acknowledgements:questions", args=[version.pk]),
            {"text": "Who do you report misuse to?", "choices": "The Principal",
             "correct": "1", "clause": clause.pk, "order": "1"},
            "choices", {"text": "Who do you report misuse to?", "choices": "The Principal",
                        "correct": "1", "clause": [str(clause.pk)]})


CASES = {
    "decision with conditions but none written": _decision_with_conditions,
    "media approval without the approved response": _media_approval_without_response,
    "post with pupils but no consent note": _post_with_pupils_and_no_consent_note,
    "post with a logo but not which": _post_with_brand_and_no_detail,
    "permission from nobody": _permission_with_nobody,
    "publication done differently without saying how": _publication_differently_without_saying_how,
    "policy pack for the version in force without an end date":
        _policy_pack_in_force_without_end_date,
    "report on another platform without naming it": _report_on_another_platform_without_naming_it,
    "question with one possible answer": _question_with_one_answer,
}


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_form_that_fails_keeps_what_was_typed_and_marks_the_field_at_fault(
        client_as, org, case):
    role, url, data, fault, kept = CASES[case](org)
    response = client_as(role).post(url, data)
    assert response.status_code in (200, 400), "the form comes back, not a redirect"
    page = Page(response.content.decode())
    for name, value in kept.items():
        assert page.kept(name) == value, f"{name} lost what was typed"
    # The control labelled for the field (a person picker's search box), else all named so.
    labelled = page.by_id(f"id_{fault}")
    controls = [labelled] if labelled is not None and labelled.tag in (
        "input", "textarea", "select") else page.controls(fault)
    assert controls, f"no {fault} control on the page"
    for control in controls:
        assert control.attrs.get("aria-invalid") == "true", f"{fault} is not marked invalid"
    described = " ".join(
        page.by_id(ref).text()
        for ref in _describedby(page, controls[0]).split() if page.by_id(ref) is not None)
    errors = [e.text() for e in page.elements if "errorlist" in e.attrs.get("class", "")]
    assert errors, "no error shown"
    assert any(error and error in described for error in errors), (
        f"{fault} is not described by its error: {described!r}")


def _describedby(page: Page, control) -> str:
    """The control's aria-describedby, or its group's (a fieldset around radios or boxes)."""
    refs = control.attrs.get("aria-describedby", "")
    node = control.parent
    while node is not None and not refs:
        if node.tag == "fieldset" or node.attrs.get("role") in ("group", "radiogroup"):
            refs = node.attrs.get("aria-describedby", "")
        node = node.parent
    for ref in refs.split():
        assert page.by_id(ref) is not None, f"aria-describedby points to missing id {ref!r}"
    return refs
