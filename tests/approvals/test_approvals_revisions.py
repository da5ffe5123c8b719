"""Asking for changes, resubmitting, comparing versions, freezing what was approved."""

import pytest
from django.urls import reverse

from approvals.models import Status
from approvals.services import ApprovalError, request_resubmit
from tests.approvals.conftest import decide, make_post, post_submission, soon


def _resubmit(req, actor, **kwargs):
    return request_resubmit(req=req, actor=actor, submission=post_submission(**kwargs))


def test_resubmission_keeps_every_earlier_version(org):
    req = make_post(org.staff, text="Our sports day was great.")
    decide(req, org.principal, "ask_changes", reasons="Say which year group.")
    _resubmit(req, org.staff, text="Year 4's sports day was great.")
    req.refresh_from_db()
    assert req.status == Status.PENDING
    assert [(r.number, r.text) for r in req.revisions.order_by("number")] == [
        (1, "Our sports day was great."), (2, "Year 4's sports day was great."),
    ]


def test_the_compare_page_marks_the_words_that_changed(client_as, org):
    req = make_post(org.staff, text="Our sports day was great.")
    decide(req, org.principal, "ask_changes", reasons="Say which year group.")
    _resubmit(req, org.staff, text="Year 4's sports day was great.", account="@North2")
    page = client_as("principal").get(reverse("approvals:compare", args=[req.pk])).content
    html = page.decode()
    assert "<del>Our</del>" in html
    assert "<ins>Year 4&#x27;s</ins>" in html
    assert "@North2" in html and "Changed" in html


def test_only_the_requester_may_resubmit(org):
    req = make_post(org.staff)
    decide(req, org.principal, "ask_changes", reasons="Shorter please.")
    with pytest.raises(ApprovalError):
        _resubmit(req, org.principal, text="Shorter.")


def test_a_refused_request_cannot_be_resubmitted(org):
    req = make_post(org.staff)
    decide(req, org.principal, "refuse", reasons="Not appropriate.")
    with pytest.raises(ApprovalError):
        _resubmit(req, org.staff)


def test_approval_freezes_the_version_and_its_hash(org):
    req = make_post(org.staff, images=2)
    decide(req, org.ceo)
    req.refresh_from_db()
    revision = req.current_revision()
    assert req.approved_revision == revision
    assert req.approved_hash == revision.content_hash == revision.compute_hash()
    assert len(req.approved_hash) == 64


def test_the_hash_changes_when_only_an_image_changes(org):
    first = make_post(org.staff, images=1).current_revision()
    second = make_post(org.staff, images=2).current_revision()
    assert first.text == second.text
    assert first.content_hash != second.content_hash


def test_editing_an_approved_post_reopens_it(org):
    req = make_post(org.staff)
    decide(req, org.ceo, "approve_with_conditions", conditions="No surnames.")
    _resubmit(req, org.staff, text="A new sentence.")
    req.refresh_from_db()
    assert req.status == Status.PENDING
    assert req.approved_hash == "" and req.conditions == ""
    assert req.events.filter(move="reopen").exists()


def test_the_requester_edits_through_the_form_and_keeps_the_old_image(client_as, org):
    req = make_post(org.staff, images=1)
    decide(req, org.principal, "ask_changes", reasons="Change the wording.")
    old = req.current_revision().attachments.get()
    response = client_as("staff").post(reverse("approvals:edit", args=[req.pk]), {
        "title": "Sports day", "platform": "facebook", "account": "@North",
        "text": "New wording", "image_description": "Children racing",
        "publish_at": soon().strftime("%Y-%m-%dT%H:%M"), "audience": "parents",
        "keep_files": [str(old.pk)],
    })
    assert response.status_code == 302
    current = req.current_revision()
    assert current.number == 2
    assert [a.sha256 for a in current.attachments.all()] == [old.sha256]


def test_a_submitted_version_cannot_be_changed_in_place(org):
    revision = make_post(org.staff).current_revision()
    revision.text = "Quietly rewritten"
    with pytest.raises(ValueError):
        revision.save()
