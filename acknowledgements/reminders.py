"""Time-based reminders for acknowledgements (see notifications/reminders.py for the contract).

- `ack.assigned`: when a person is asked (including joiners on their start date);
- `ack.due_soon`: ACK_DUE_SOON_DAYS (default 3) before the due date;
- `ack.overdue`: the day after the due date, then every ACK_OVERDUE_REPEAT_DAYS (default 7);
- `ack.escalated_manager`: ACK_ESCALATE_MANAGER_DAYS (default 7) overdue, to the line manager;
- `ack.escalated_principal`: ACK_ESCALATE_PRINCIPAL_DAYS (default 14) overdue, to the Principal
  of the person's academy (the CEO for the central team);
- `ack.minor_change`: after a minor change, what changed (nobody re-acknowledges).

Emails to the person carry a signed, single-use link (signed_link_url).
"""

import datetime
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from accounts.models import Role, User
from acknowledgements.models import Assignment
from acknowledgements.services import signed_link_url
from core.dates import format_date
from notifications.reminders import Reminder


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def collect_reminders(today: datetime.date) -> Iterator[Reminder]:
    due_soon = _setting("ACK_DUE_SOON_DAYS", 3)
    repeat = max(1, _setting("ACK_OVERDUE_REPEAT_DAYS", 7))
    to_manager = _setting("ACK_ESCALATE_MANAGER_DAYS", 7)
    to_principal = _setting("ACK_ESCALATE_PRINCIPAL_DAYS", 14)
    window = today - datetime.timedelta(days=14)

    outstanding = (
        Assignment.objects.live().outstanding()
        .filter(person__is_active=True, assigned_on__lte=today)
        .filter(Q(person__leaving_date__isnull=True) | Q(person__leaving_date__gt=today))
        .filter(Q(assigned_on__gte=window) | Q(due_on__lte=today + datetime.timedelta(
            days=due_soon)))
        .select_related("person", "person__line_manager", "version", "version__policy")
    )
    principals = {p.academy_id: p for p in User.objects.current().filter(role=Role.PRINCIPAL)}
    ceo = User.objects.current().filter(role=Role.CEO).first()
    for a in outstanding.iterator(chunk_size=1000):
        policy = a.version.policy.title
        person, due = a.person, format_date(a.due_on)
        if a.assigned_on >= window:
            yield Reminder(
                recipient=person, kind="ack.assigned", about=a, period="assigned",
                title=f"Please read and acknowledge the {policy}",
                body=f"The {policy} (version {a.version.label}) needs your acknowledgement "
                     f"by {due}. Open the link, read each section and confirm.",
                url=signed_link_url(a), reason="asked to acknowledge",
            )
        days_left = (a.due_on - today).days
        if 0 <= days_left <= due_soon:
            yield Reminder(
                recipient=person, kind="ack.due_soon", about=a, period="due-soon",
                title=f"The {policy} is due to be acknowledged by {due}",
                body=f"You have {days_left} day(s) left to acknowledge the {policy}.",
                url=signed_link_url(a), reason=f"due in {days_left} day(s)",
            )
        days_over = (today - a.due_on).days
        if days_over >= 1:
            yield Reminder(
                recipient=person, kind="ack.overdue", about=a,
                period=f"overdue-{(days_over - 1) // repeat}", urgent=True,
                title=f"Overdue: please acknowledge the {policy}",
                body=f"Your acknowledgement of the {policy} was due on {due}.",
                url=signed_link_url(a), reason=f"{days_over} day(s) overdue",
            )
        team_url = reverse("acknowledgements:person_history", args=[person.pk])
        if days_over >= to_manager and person.line_manager is not None:
            yield Reminder(
                recipient=person.line_manager, kind="ack.escalated_manager", about=a,
                period="escalated-manager", urgent=True,
                title=f"{person.full_name} has not acknowledged the {policy}",
                body=f"{person.full_name}'s acknowledgement was due on {due} "
                     f"({days_over} days ago). You can remind them, or record it on their "
                     f"behalf if they have no computer access.",
                url=team_url, reason=f"{days_over} days overdue: line manager",
            )
        if days_over >= to_principal:
            principal = principals.get(person.academy_id) or ceo
            if principal is not None and principal.pk != person.pk:
                yield Reminder(
                    recipient=principal, kind="ack.escalated_principal", about=a,
                    period="escalated-principal", urgent=True,
                    title=f"{person.full_name} is {days_over} days overdue with the {policy}",
                    body=f"{person.full_name} has not acknowledged the {policy}, due on {due}.",
                    url=team_url, reason=f"{days_over} days overdue: Principal",
                )

    carried = (Assignment.objects.live().filter(source=Assignment.Source.CARRIED,
                                                created_at__date__gte=window,
                                                person__is_active=True)
               .select_related("person", "version", "version__policy"))
    for a in carried.iterator(chunk_size=1000):
        summary = a.version.change_summary or "Small corrections that do not change what you " \
                                              "must do."
        yield Reminder(
            recipient=a.person, kind="ack.minor_change", about=a, period="changed",
            title=f"The {a.version.policy.title} has been updated (minor change)",
            body=f"Version {a.version.label} is now in force. What changed: {summary}\n"
                 "You do not need to acknowledge it again.",
            url=reverse("acknowledgements:changes", args=[a.pk]), reason="minor change",
        )
