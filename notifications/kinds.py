"""Which preference group a notification kind belongs to, and what each group allows.

Kinds are dotted codes chosen by the app that sends them ("ack.overdue", "breach.new"...).
The first part decides the group. Urgent notifications (a new case, a safeguarding flag, a
revoked approval, a deadline within a day) are always emailed at once, whatever the person
chose; so are the kinds in EMAILED_AT_ONCE (decisions on one's own request), without the
"Urgent" tag.
"""

from dataclasses import dataclass

IMMEDIATE = "immediate"
DAILY = "daily"
PORTAL_ONLY = "portal"

CHOICE_LABELS = {
    IMMEDIATE: "Email me straight away",
    DAILY: "One summary email a day",
    PORTAL_ONLY: "Show in the portal only (no email)",
}


@dataclass(frozen=True)
class Group:
    code: str
    label: str
    help: str
    choices: tuple[str, ...]
    default: str = DAILY


GROUPS: dict[str, Group] = {
    g.code: g
    for g in [
        Group("acknowledgements", "Reading and acknowledging policies",
              "New policies to acknowledge, reminders before and after the due date, and "
              "escalations about people you manage. Acknowledging is a duty under the policy, "
              "so these always reach you by email.", (IMMEDIATE, DAILY)),
        Group("policies", "Policy reviews",
              "Reminders that a policy you own or look after is due for review.",
              (IMMEDIATE, DAILY, PORTAL_ONLY)),
        Group("breaches", "Reported misuse cases",
              "Steps due or overdue on cases you handle. New cases and safeguarding flags are "
              "urgent and always emailed at once.", (IMMEDIATE, DAILY, PORTAL_ONLY)),
        Group("approvals", "Approvals and exceptions",
              "Requests waiting for your decision, and exceptions or monitoring periods about "
              "to end. Decisions on your own requests are always emailed at once.",
              (IMMEDIATE, DAILY, PORTAL_ONLY)),
        Group("other", "Everything else", "Anything else the portal tells you about.",
              (IMMEDIATE, DAILY, PORTAL_ONLY)),
    ]
}

_PREFIXES = {
    "ack": "acknowledgements", "acknowledgement": "acknowledgements",
    "acknowledgements": "acknowledgements",
    "policy": "policies", "policies": "policies", "review": "policies",
    "breach": "breaches", "breaches": "breaches", "case": "breaches",
    "approval": "approvals", "approvals": "approvals", "exception": "approvals",
    "monitoring": "approvals",
}


#: Emailed at once whatever the person chose, without being urgent: decisions on a person's
#: own request (the group's help promises it).
EMAILED_AT_ONCE = frozenset({
    "approvals.approve", "approvals.approve_with_conditions", "approvals.ask_changes",
    "approvals.refuse", "approvals.revoke", "approvals.expire", "approvals.forward",
})


def group_for_kind(kind: str) -> Group:
    prefix = kind.split(".", 1)[0].lower()
    return GROUPS[_PREFIXES.get(prefix, "other")]


#: Why a person is told, in words, for the email footer and the bell (apps' own `reason` adds
#: the detail, e.g. "7 days overdue").
EXPLANATIONS = {
    "ack.assigned": "you have been asked to read and acknowledge a policy",
    "ack.due_soon": "a policy you must acknowledge is due soon",
    "ack.overdue": "your acknowledgement of a policy is overdue",
    "ack.escalated_manager": "you are the line manager of someone whose acknowledgement is "
                             "overdue",
    "ack.escalated_principal": "someone in your academy is well overdue acknowledging a policy",
    "ack.minor_change": "a policy you acknowledged has had a minor change",
    "policies.review_due": "you own or look after a policy that is due for review",
    "breaches.step_due": "a step on a case you handle is due",
    "breaches.step_overdue": "a step on a case you handle is overdue",
    "breaches.triage_escalated": "a report has not been triaged in time",
    "approvals.decision_due": "a request is waiting for your decision",
    "approvals.decision_overdue": "a request has waited too long for your decision",
    "approvals.expiring": "an exception or monitoring period you are involved in ends soon",
    "approvals.ending_soon": "an exception or monitoring period you are involved in ends soon",
}
_GROUP_EXPLANATIONS = {
    "acknowledgements": "it is about policies you or your team must acknowledge",
    "policies": "it is about a policy you look after",
    "breaches": "it is about a reported misuse case you are part of",
    "approvals": "it is about a request or approval you are part of",
    "other": "the Policy Portal has something for you",
}


def explain(kind: str) -> str:
    return EXPLANATIONS.get(kind) or _GROUP_EXPLANATIONS[group_for_kind(kind).code]
