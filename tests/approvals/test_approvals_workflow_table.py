"""The approval request's table of moves and the one function that applies them."""

import pytest

from approvals.models import ApprovalRequest, Status
from approvals.services import ApprovalError, request_transition
from approvals.workflow import DECIDER, NEW, REQUESTER, REQUESTS, SYSTEM
from audit.models import AuditEvent
from tests.approvals.conftest import decide, make_post, post_submission


def test_every_move_is_made_by_exactly_one_kind_of_person():
    for move in REQUESTS:
        assert len(move.who) == 1 and move.who <= {REQUESTER, DECIDER, SYSTEM}, move.name


def test_only_decisions_require_written_reasons():
    assert {m.name for m in REQUESTS if m.reason_required} == {
        m.name for m in REQUESTS if DECIDER in m.who}


def test_submitting_takes_a_new_request_from_new_to_waiting_and_records_its_first_version(org):
    req = make_post(org.staff, text="Our sports day was great.")
    [event] = req.events.all()
    assert (event.move, event.from_status, event.to_status) == ("submit", NEW, Status.PENDING)
    assert event.revision.number == 1 and event.revision.text == "Our sports day was great."
    assert AuditEvent.objects.for_object(req).get(action="approvals.submit").changes[
        "status"] == [NEW, Status.PENDING]


def test_a_saved_request_cannot_be_submitted_again(org):
    req = make_post(org.staff)
    with pytest.raises(ApprovalError, match="cannot be asked for approval now"):
        request_transition(req, move="submit", actor=org.staff,
                           data={"submission": post_submission()})
    assert req.events.count() == 1 and req.revisions.count() == 1


def test_a_refused_submission_leaves_nothing_behind(org):
    with pytest.raises(ApprovalError, match="nobody other than you"):
        make_post(org.ceo)  # the CEO's own post: nobody else can decide it
    assert not ApprovalRequest.objects.exists()


def test_a_move_the_table_does_not_allow_from_this_status_is_refused(org):
    req = make_post(org.staff)
    decide(req, org.principal, "refuse", reasons="Not suitable.")
    with pytest.raises(ApprovalError, match="cannot be approved now"):
        decide(req, org.ceo)
