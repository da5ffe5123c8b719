"""The approval request's workflow: one table of moves, in the shape every workflow has
(`core.workflow`).

For each move: from which statuses it may be made, the status it leads to, who may make it (the
requester, a decider for the current step or their deputy, or the portal itself) and for which
kinds of request. `approvals.services.request_transition` is the one function that applies a
move; each move's own work is a handler registered against this table by name (its checks and
changes in approvals/services.py, what it tells people in approvals/notices.py).
"""

from approvals.models import PERIOD_KINDS, ApprovalRequest, Kind, Status
from core.workflow import Move, Workflow

#: Who makes a move: the person who asked, a decider at the current step (or their deputy; see
#: approvals/routing.py), or the portal itself (time passing).
REQUESTER, DECIDER, SYSTEM = "requester", "decider", "system"
#: The status of a request not yet submitted.
NEW = ""

S = Status
POSTS = {Kind.POST}


def _asks(name, sources, target, label, **extra) -> Move:
    return Move(name, sources, target, label, who={REQUESTER}, reason_required=False, **extra)


def _decides(name, sources, target, label, **extra) -> Move:
    return Move(name, sources, target, label, who={DECIDER}, reason_required=True,
                help="Written reasons are required for every decision.", **extra)


REQUESTS = Workflow("approval request", [
    _asks("submit", {NEW}, S.PENDING, "asked for approval"),
    _asks("resubmit", {S.CHANGES_REQUESTED, S.EXPIRED}, S.PENDING, "resubmitted a new version"),
    _asks("reopen", {S.APPROVED}, S.PENDING, "edited the approved post, which reopened it",
          kinds=POSTS),
    _decides("forward", {S.PENDING}, S.PENDING,
             "approved the first step and passed it to the CEO", kinds=POSTS),
    _decides("approve", {S.PENDING}, S.APPROVED, "approved"),
    _decides("approve_with_conditions", {S.PENDING}, S.APPROVED, "approved with conditions"),
    _decides("ask_changes", {S.PENDING}, S.CHANGES_REQUESTED, "asked for changes"),
    _decides("refuse", {S.PENDING}, S.REFUSED, "refused"),
    _asks("withdraw", {S.PENDING, S.CHANGES_REQUESTED}, S.WITHDRAWN, "withdrew it"),
    Move("expire", {S.PENDING, S.CHANGES_REQUESTED}, S.EXPIRED, "expired: not decided in time",
         who={SYSTEM}, reason_required=False, kinds={Kind.POST, Kind.MEDIA}),
    _asks("record_publication", {S.APPROVED}, S.PUBLISHED,
          "recorded that it was published as approved", kinds=POSTS),
    _asks("published_differently", {S.APPROVED}, S.CHANGES_REQUESTED,
          "recorded that it was published differently; it must be resubmitted", kinds=POSTS),
    Move("end", {S.APPROVED}, S.ENDED, "ended: its period is over", who={SYSTEM},
         reason_required=False, kinds=PERIOD_KINDS),
    _decides("revoke", {S.APPROVED}, S.REVOKED, "revoked it", kinds=PERIOD_KINDS),
])

#: Name -> Move, for the history's labels and the pages.
TRANSITIONS: dict[str, Move] = REQUESTS.moves
#: Moves that are decisions (the request page shows the last one).
DECISION_MOVES = frozenset(move.name for move in REQUESTS if DECIDER in move.who)
#: Moves that put the request in front of its deciders (again): everything else ends what the
#: request was waiting for.
ASKING_MOVES = frozenset({"submit", "resubmit", "reopen"})

AUDIT_LABELS = {f"approvals.{move.name}": move.label for move in REQUESTS} | {
    "approvals.delegation_created": "named a deputy for approvals",
    "approvals.delegation_ended": "ended a delegation of approvals",
    "approvals.routing_rule_added": "added a two-step approval rule",
    "approvals.routing_rule_removed": "removed a two-step approval rule",
}


def possible(req: ApprovalRequest, name: str) -> bool:
    """The table allows move `name` on this request now (its status and kind; not the person)."""
    move = REQUESTS.moves[name]
    return req.status in move.sources and move.applies_to(req.kind)
