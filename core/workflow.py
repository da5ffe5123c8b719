"""One shape for every workflow in the portal: cases, policy versions, addenda and approvals.

A workflow is a table of `Move`s: from which states a move may be made, the state it leads to,
who may make it and what the form asks for. Each app has ONE function that applies a move
(`breaches.services.case_transition`, `policies.lifecycle.version_transition`,
`policies.addenda.addendum_transition`, `approvals.services.request_transition`). That
function does what every move needs (lock, check the table and the person, save, record,
audit) and calls the move's own small handlers, registered against the table by name:

    CASES = Workflow("case", [Move("triage", {State.REPORTED}, State.TRIAGE, ...), ...])

    @CASES.before_save("triage")
    def _triage(step): ...          # the move's own checks and changes; raise to refuse

    @CASES.after_save("outcome")
    def _tell_the_person_concerned(step): ...   # what else happens once it is saved

`who` is the workflow's own vocabulary for people: capacities on a case (handler, hearer...),
permission codes for versions (see `accounts.permissions`), or requester/decider/system for
approvals. The apply function is the one place that reads it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Move:
    name: str
    sources: frozenset[str]
    target: str
    label: str
    who: frozenset[str]
    #: What the form asks for (the handler checks the same).
    help: str = ""
    reason_required: bool = True
    #: The kinds of record the move applies to (None: every kind).
    kinds: frozenset[str] | None = None

    def __post_init__(self):
        # Tables are written with sets and lists; keep them hashable and immutable.
        object.__setattr__(self, "sources", frozenset(self.sources))
        object.__setattr__(self, "who", frozenset(self.who))
        if self.kinds is not None:
            object.__setattr__(self, "kinds", frozenset(self.kinds))

    def applies_to(self, kind: str) -> bool:
        return self.kinds is None or kind in self.kinds


@dataclass
class Step:
    """One move being made: what the handlers read and write while it is applied."""

    obj: Any
    move: Move
    actor: Any
    source: str
    reason: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    request: Any = None
    now: datetime.datetime | None = None
    #: The day the move happened, when it is recorded after the event (None: today).
    on: datetime.date | None = None
    #: What the audit trail records as changed, beyond the state.
    changes: dict[str, Any] = field(default_factory=dict)
    #: What the history entry records (the event's details).
    details: dict[str, Any] = field(default_factory=dict)
    #: Added to the summary the history entry and the audit trail record.
    note: str = ""
    #: The history entry, once written (after-save handlers may read it).
    event: Any = None


Handler = Callable[[Step], None]


class Workflow:
    def __init__(self, name: str, moves: Iterable[Move]):
        self.name = name
        self.moves: dict[str, Move] = {}
        for move in moves:
            if move.name in self.moves:
                raise ValueError(f"{name}: two moves are called {move.name!r}")
            self.moves[move.name] = move
        self._before: dict[str, Handler] = {}
        self._after: dict[str, Handler] = {}

    def __iter__(self):
        return iter(self.moves.values())

    def __contains__(self, name: str) -> bool:
        return name in self.moves

    def named(self, name: str) -> Move | None:
        return self.moves.get(name)

    def between(self, source: str, target: str) -> Move | None:
        """The move from this state to that one (at most one in each table)."""
        found = [m for m in self.moves.values() if source in m.sources and m.target == target]
        return found[0] if len(found) == 1 else None

    def from_state(self, state: str, kind: str | None = None) -> list[Move]:
        return [m for m in self.moves.values()
                if state in m.sources and (kind is None or m.applies_to(kind))]

    def pairs(self) -> set[tuple[str, str]]:
        return {(source, m.target) for m in self.moves.values() for source in m.sources}

    # ------------------------------------------------------------------ the moves' handlers

    def _register(self, table: dict[str, Handler], names: tuple[str, ...]):
        unknown = [n for n in names if n not in self.moves]
        if unknown:
            raise ValueError(f"{self.name}: no move called {', '.join(unknown)}")

        def register(handler: Handler) -> Handler:
            for name in names:
                if name in table:
                    raise ValueError(f"{self.name}: {name!r} already has a handler")
                table[name] = handler
            return handler

        return register

    def before_save(self, *names: str):
        """Register the move's own checks and changes, run before the record is saved."""
        return self._register(self._before, names)

    def after_save(self, *names: str):
        """Register what else the move does once it is saved (relations, notifications)."""
        return self._register(self._after, names)

    def stages(self, name: str) -> set[str]:
        """The stages ("before_save", "after_save") the move has a handler for."""
        return {stage for stage, table in (("before_save", self._before),
                                           ("after_save", self._after)) if name in table}

    def run_before(self, step: Step) -> None:
        handler = self._before.get(step.move.name)
        if handler is not None:
            handler(step)

    def run_after(self, step: Step) -> None:
        handler = self._after.get(step.move.name)
        if handler is not None:
            handler(step)
