"""Which preference group a notification kind belongs to, and what each group allows.

Kinds are dotted codes chosen by the app that sends them ("ack.overdue", "breach.new"...).
The first part decides the group. Urgent notifications (a new case, a decision, a
safeguarding flag) are always emailed at once, whatever the person chose.
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
              "Reminders that a policy you own or look after is due for review (clause 11.1).",
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


def group_for_kind(kind: str) -> Group:
    prefix = kind.split(".", 1)[0].lower()
    return GROUPS[_PREFIXES.get(prefix, "other")]
