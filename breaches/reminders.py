"""Daily reminders for cases (see notifications/reminders.py for the contract).

- the handler, when a step is due today (`breaches.step_due`), and each day it is overdue
  (`breaches.step_overdue`, one per day);
- the CEO, once per case, when triage is overdue (`breaches.triage_escalated`): a report has
  waited longer than the triage allowance without being picked up;
- the handler, when a request (removal, co-operation, evidence) passed its deadline unanswered.
"""

import datetime
from collections.abc import Iterator

from django.urls import reverse

from breaches.models import Case, CaseItem, State
from breaches.selectors import case_due
from breaches.services import current_ceo
from notifications.reminders import Reminder


def collect_reminders(today: datetime.date) -> Iterator[Reminder]:
    ceo = current_ceo()
    cases = Case.objects.open().select_related("handler", "concerned")
    for case in cases:
        due = case_due(case)
        if due is None:
            continue
        url = reverse("breaches:case_detail", args=[case.pk])
        step = case.get_state_display().lower()
        if due == today:
            yield Reminder(
                recipient=case.handler, kind="breaches.step_due",
                title=f"{case.reference}: {step} is due today", about=case,
                period=f"{case.state}-{due.isoformat()}", url=url,
                reason=f"the {step} step is due on {due:%d/%m/%Y}",
            )
        elif due < today:
            days = (today - due).days
            yield Reminder(
                recipient=case.handler, kind="breaches.step_overdue",
                title=f"{case.reference}: {step} is overdue", about=case,
                period=f"{case.state}-{today.isoformat()}", url=url, urgent=True,
                body=f"It was due on {due:%-d %B %Y} ({days} day(s) ago).",
                reason=f"the {step} step was due on {due:%d/%m/%Y}",
            )
            if (case.state in (State.REPORTED, State.TRIAGE) and ceo is not None
                    and ceo.pk not in (case.handler_id, case.concerned_id)):
                yield Reminder(
                    recipient=ceo, kind="breaches.triage_escalated",
                    title=f"{case.reference}: triage is overdue", about=case,
                    period="triage", url=url, urgent=True,
                    body=f"Triage was due on {due:%-d %B %Y} and has not been completed.",
                    reason="triage overdue: escalated to the CEO",
                )
    requests = CaseItem.objects.filter(
        kind__in=CaseItem.REQUEST_KINDS, complied__isnull=True, withdrawn_at__isnull=True,
        deadline__lt=today,
    ).exclude(case__state__in=[State.NO_CASE, State.CLOSED]).select_related("case__handler")
    for item in requests:
        yield Reminder(
            recipient=item.case.handler, kind="breaches.request_overdue",
            title=f"{item.case.reference}: {item.get_kind_display().lower()} passed its deadline",
            about=item.case, period=f"item-{item.pk}",
            url=reverse("breaches:case_detail", args=[item.case_id]),
            body="Record whether it was complied with.",
            reason=f"deadline {item.deadline:%d/%m/%Y} passed without an answer",
        )
