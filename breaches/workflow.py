"""The case state machine: ONE table of moves and who may make each, and one of other actions.

`CASES` has the portal's one workflow shape (`core.workflow`; see docs/workflows.md).
`breaches.services.case_transition()` is the only code that changes `Case.state`; it checks
this table, applies the move (with the move's own handlers in `breaches.services.moves`),
writes the timeline and the audit trail, and notifies people.

Capacities (see `breaches.access.case_roles`): handler, ceo, hr, principal (of the academy
concerned), member (added to the case), appeal_hearer, concerned (once notified), reporter.
"""

from breaches.access import CEO, CONCERNED, HANDLER, HEARER, HR, MEMBER, PRINCIPAL
from breaches.models import State
from core.errors import Refused
from core.workflow import Move, Workflow

#: Who runs a case: its handler, or the CEO.
_LEAD = {HANDLER, CEO}

CASES = Workflow("case", [
    Move("triage", {State.REPORTED}, State.TRIAGE, "Start triage", _LEAD,
         "Confirm who handles the case, its severity and whether it is a safeguarding matter.",
         reason_required=False),
    Move("no_case", {State.TRIAGE}, State.NO_CASE, "Close with no case", _LEAD,
         "Say why there is nothing to answer."),
    Move("informal", {State.TRIAGE}, State.INFORMAL, "Resolve informally", _LEAD,
         "Say how it will be resolved (e.g. a conversation with the line manager)."),
    Move("investigation", {State.TRIAGE}, State.INVESTIGATION, "Open a formal investigation",
         _LEAD, "Say why a formal investigation is needed."),
    Move("escalate", {State.INFORMAL}, State.INVESTIGATION,
         "Escalate to a formal investigation", _LEAD,
         "Say why informal resolution is not enough."),
    Move("close_informal", {State.INFORMAL}, State.CLOSED, "Close: resolved informally", _LEAD,
         "Record how it was resolved."),
    Move("outcome", {State.INVESTIGATION}, State.OUTCOME, "Record the outcome", _LEAD,
         "The outcome, the clauses found breached and the reasons. The person concerned is "
         "told and may appeal within the appeal window.", reason_required=False),
    Move("appeal", {State.OUTCOME}, State.APPEAL, "Lodge an appeal", {CONCERNED, HR},
         "The grounds of appeal. It must be lodged before the appeal deadline."),
    Move("close", {State.OUTCOME}, State.CLOSED, "Close the case", _LEAD,
         "Possible once the appeal window has passed without an appeal."),
    Move("decide_appeal", {State.APPEAL}, State.CLOSED, "Decide the appeal", {HEARER},
         "Upheld or dismissed, with reasons. Only the appeal hearer, who is never the first "
         "decision-maker, may decide.", reason_required=False),
])

#: Other things done on a case, and who may do them.
ACTIONS: dict[str, frozenset[str]] = {
    "assign_handler": frozenset({HANDLER, CEO}),
    "add_member": frozenset({HANDLER, CEO}),
    "remove_member": frozenset({HANDLER, CEO}),
    "add_item": frozenset({HANDLER, CEO, MEMBER}),
    "record_compliance": frozenset({HANDLER, CEO, MEMBER}),
    "add_evidence": frozenset({HANDLER, CEO, MEMBER}),
    "message": frozenset({HANDLER, CEO}),
    "notify_concerned": frozenset({HANDLER, CEO}),
    "set_hearer": frozenset({HR, CEO}),
    "legal_hold": frozenset({HR, CEO}),
    "record_cpoms": frozenset({HANDLER, CEO, MEMBER}),
    "view": frozenset({HANDLER, CEO, HR, PRINCIPAL, MEMBER, HEARER}),
}

#: States in which investigation work may be recorded.
WORKING_STATES = frozenset({State.TRIAGE, State.INFORMAL, State.INVESTIGATION, State.APPEAL})


class CaseError(Refused):
    """A move or action that is not allowed; the message is shown to the person."""


def moves_from(state: str) -> list[Move]:
    return CASES.from_state(state)


def available_moves(case, roles: set[str]) -> list[Move]:
    return [m for m in moves_from(case.state) if m.who & roles]


def may(action: str, roles: set[str]) -> bool:
    return bool(ACTIONS[action] & roles)
