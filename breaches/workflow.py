"""The case state machine: ONE table of moves and who may make each, and one of other actions.

`breaches.services.case_transition()` is the only code that changes `Case.state`; it checks
this table, applies the move, writes the timeline and the audit trail, and notifies people.

Capacities (see `breaches.access.case_roles`): handler, ceo, hr, principal (of the academy
concerned), member (added to the case), appeal_hearer, concerned (once notified), reporter.
"""

from dataclasses import dataclass

from breaches.access import CEO, CONCERNED, HANDLER, HEARER, HR, MEMBER, PRINCIPAL
from breaches.models import State
from core.errors import Refused


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    label: str
    roles: frozenset[str]
    #: What the form asks for (the service checks the same).
    help: str = ""
    reason_required: bool = True


MOVES: tuple[Move, ...] = (
    Move(State.REPORTED, State.TRIAGE, "Start triage", frozenset({HANDLER, CEO}),
         "Confirm who handles the case, its severity and whether it is a safeguarding matter.",
         reason_required=False),
    Move(State.TRIAGE, State.NO_CASE, "Close with no case", frozenset({HANDLER, CEO}),
         "Say why there is nothing to answer."),
    Move(State.TRIAGE, State.INFORMAL, "Resolve informally", frozenset({HANDLER, CEO}),
         "Say how it will be resolved (e.g. a conversation with the line manager)."),
    Move(State.TRIAGE, State.INVESTIGATION, "Open a formal investigation",
         frozenset({HANDLER, CEO}), "Say why a formal investigation is needed."),
    Move(State.INFORMAL, State.INVESTIGATION, "Escalate to a formal investigation",
         frozenset({HANDLER, CEO}), "Say why informal resolution is not enough."),
    Move(State.INFORMAL, State.CLOSED, "Close: resolved informally", frozenset({HANDLER, CEO}),
         "Record how it was resolved."),
    Move(State.INVESTIGATION, State.OUTCOME, "Record the outcome", frozenset({HANDLER, CEO}),
         "The outcome, the clauses found breached and the reasons. The person concerned is "
         "told and may appeal within the appeal window.", reason_required=False),
    Move(State.OUTCOME, State.APPEAL, "Lodge an appeal", frozenset({CONCERNED, HR}),
         "The grounds of appeal. It must be lodged before the appeal deadline."),
    Move(State.OUTCOME, State.CLOSED, "Close the case", frozenset({HANDLER, CEO}),
         "Possible once the appeal window has passed without an appeal."),
    Move(State.APPEAL, State.CLOSED, "Decide the appeal", frozenset({HEARER}),
         "Upheld or dismissed, with reasons. Only the appeal hearer, who is never the first "
         "decision-maker, may decide.", reason_required=False),
)

TRANSITIONS: dict[tuple[str, str], Move] = {(m.source, m.target): m for m in MOVES}

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
    "view": frozenset({HANDLER, CEO, HR, PRINCIPAL, MEMBER, HEARER}),
}

#: States in which investigation work may be recorded.
WORKING_STATES = frozenset({State.TRIAGE, State.INFORMAL, State.INVESTIGATION, State.APPEAL})


class CaseError(Refused):
    """A move or action that is not allowed; the message is shown to the person."""


def moves_from(state: str) -> list[Move]:
    return [m for m in MOVES if m.source == state]


def available_moves(case, roles: set[str]) -> list[Move]:
    return [m for m in moves_from(case.state) if m.roles & roles]


def may(action: str, roles: set[str]) -> bool:
    return bool(ACTIONS[action] & roles)
