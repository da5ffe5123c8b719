"""Every workflow of the portal has the one shape (`core.workflow`): a table of `Move`s, and
each move's own work in a handler registered against the table by the move's name."""

import pytest

import approvals.services  # noqa: F401 - registers the approval moves' handlers
import breaches.services  # noqa: F401 - registers the case moves' handlers
from approvals.models import Status as ApprovalStatus
from approvals.workflow import NEW, REQUESTS
from breaches.models import State
from breaches.workflow import CASES
from core.workflow import Move, Workflow
from policies.addenda import ADDENDA
from policies.lifecycle import VERSIONS
from policies.models import AcademyAddendum, PolicyVersion

BEFORE, AFTER = "before_save", "after_save"

#: Each table, the states its records may be in, and the handlers each move has: spelled out
#: so that a move whose own work is lost (or moved back inline) shows here.
WORKFLOWS = {
    "case": (CASES, State.values, {
        "triage": {BEFORE, AFTER},  # severity, safeguarding, handler; tell a new handler
        "no_case": set(),
        "informal": {BEFORE},  # step due date
        "investigation": {BEFORE},
        "escalate": {BEFORE},
        "close_informal": set(),
        "outcome": {BEFORE, AFTER},  # outcome and clauses; tell the person concerned
        "appeal": {BEFORE, AFTER},  # window, hearer; tell hearer, handler, person concerned
        "close": {BEFORE},  # only once the appeal window has passed
        "decide_appeal": {BEFORE, AFTER},  # result beside the first decision; tell them
    }),
    "version": (VERSIONS, PolicyVersion.Status.values, {
        "consult": {BEFORE},
        "skip_consultation": {BEFORE, AFTER},
        "abandon": {BEFORE},
        "end_consultation": {BEFORE, AFTER},
        "back_to_draft": {AFTER},
        "approve": {BEFORE, AFTER},
        "return_unapproved": {AFTER},
        "ratify": {BEFORE, AFTER},
        "publish": {BEFORE, AFTER},  # supersede the previous version; reviews, acknowledgements
        "withdraw": {BEFORE, AFTER},
    }),
    "addendum": (ADDENDA, AcademyAddendum.Status.values, {
        "submit": {AFTER},
        "approve": {BEFORE, AFTER},
        "return": {AFTER},
    }),
    "approval request": (REQUESTS, [NEW, *ApprovalStatus.values], {
        **{name: {BEFORE, AFTER} for name in (
            "submit", "resubmit", "reopen", "forward", "approve", "approve_with_conditions",
            "ask_changes", "refuse", "record_publication", "published_differently", "revoke")},
        "withdraw": {AFTER},  # tell the deciders
        "expire": {AFTER},  # tell the requester: do not publish
        "end": {AFTER},  # tell the requester, and the IT contact for monitoring
    }),
}
#: Approval moves are made by name (two decisions lead from waiting to approved); the others
#: are found by the states they join.
FOUND_BY_STATES = ["case", "version", "addendum"]


@pytest.mark.parametrize("name", WORKFLOWS)
def test_each_workflow_is_a_table_of_moves_of_the_one_shape(name):
    workflow, states, _ = WORKFLOWS[name]
    assert isinstance(workflow, Workflow)
    assert workflow.name == name
    assert all(type(move) is Move for move in workflow)
    assert {s for pair in workflow.pairs() for s in pair} <= set(states)


@pytest.mark.parametrize("name", WORKFLOWS)
def test_each_move_has_exactly_the_handlers_its_own_work_needs(name):
    workflow, _, expected = WORKFLOWS[name]
    assert {move.name: workflow.stages(move.name) for move in workflow} == expected


@pytest.mark.parametrize("name", FOUND_BY_STATES)
def test_no_two_moves_of_a_table_lead_between_the_same_states(name):
    workflow, _, _ = WORKFLOWS[name]
    pairs = [(source, move.target) for move in workflow for source in move.sources]
    assert len(pairs) == len(set(pairs))
