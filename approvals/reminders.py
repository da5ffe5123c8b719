"""Time-based reminders for approvals (see notifications/reminders.py for the contract).

Collected once a day by the notifications sweep; each is sent once per period:
- decision due (tomorrow or today) and overdue (once a week) to the deciders and their deputies;
- a post or media enquiry that will expire within a day to its requester;
- an approved post whose time has passed without a recorded publication, to its requester;
- exceptions, permissions and monitoring periods ending within a week, to the requester
  (and, for monitoring, to whoever approved it).
"""

import datetime
from collections.abc import Iterator

from django.urls import reverse
from django.utils import timezone

from approvals.models import OPEN_STATUSES, PERIOD_KINDS, ApprovalRequest, Kind, Status
from approvals.routing import Router
from core.dates import format_date, format_datetime
from notifications.reminders import Reminder

ENDING_SOON_DAYS = 7


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min,
                                     tzinfo=timezone.get_current_timezone())


def collect_reminders(today: datetime.date) -> Iterator[Reminder]:
    router = Router()
    week = f"{today:%G-W%V}"
    tomorrow_end = _day_start(today + datetime.timedelta(days=2))
    pending = (ApprovalRequest.objects.pending().filter(due_at__lt=tomorrow_end)
               .select_related("requester", "requester__line_manager", "subject_person"))
    for req in pending:
        url = reverse("approvals:detail", args=[req.pk])
        due_day = timezone.localtime(req.due_at).date()
        overdue = due_day < today
        if req.kind in (Kind.POST, Kind.MEDIA) and overdue:
            continue  # these expire instead; the expiry tells the requester
        for person in router.asked(req):
            if overdue:
                yield Reminder(
                    recipient=person, kind="approvals.decision_overdue", about=req,
                    period=f"overdue-{week}", url=url, urgent=True,
                    title=f"Overdue decision: {req.title}",
                    body=f"{req.requester.full_name} has waited since {format_date(due_day)}.",
                    reason=f"decision was due {format_date(due_day)}",
                )
            else:
                yield Reminder(
                    recipient=person, kind="approvals.decision_due", about=req,
                    period=f"due-{due_day.isoformat()}", url=url,
                    urgent=req.kind in (Kind.POST, Kind.MEDIA),
                    title=f"Decision due {'today' if due_day <= today else 'tomorrow'}: "
                    f"{req.title}",
                    body=f"{req.get_kind_display()} from {req.requester.full_name}, due "
                    f"{format_datetime(req.due_at)}."
                    + (" Undecided by then, it expires." if req.kind in (Kind.POST, Kind.MEDIA)
                       else ""),
                    reason=f"decision due {format_date(due_day)}",
                )
    expiring = ApprovalRequest.objects.filter(
        status__in=OPEN_STATUSES, kind__in=[Kind.POST, Kind.MEDIA],
        due_at__gte=_day_start(today), due_at__lt=tomorrow_end,
    ).select_related("requester")
    for req in expiring:
        due_day = timezone.localtime(req.due_at).date()
        yield Reminder(
            recipient=req.requester, kind="approvals.post_expiring", about=req,
            period=f"expiring-{due_day.isoformat()}", urgent=True,
            url=reverse("approvals:detail", args=[req.pk]),
            title=f"Not yet approved: {req.title}",
            body=f"If it is not approved by {format_datetime(req.due_at)} "
            "it expires. Do not publish or respond without approval.",
            reason="unapproved and its time is within a day",
        )
    unrecorded = ApprovalRequest.objects.filter(
        kind=Kind.POST, status=Status.APPROVED, publish_at__lt=_day_start(today),
    ).select_related("requester")
    for req in unrecorded:
        yield Reminder(
            recipient=req.requester, kind="approvals.record_publication", about=req,
            period=f"record-{week}", url=reverse("approvals:publication", args=[req.pk]),
            title=f"Record the publication of: {req.title}",
            body="Add the link to the published post and say whether it went out exactly "
            "as approved.",
            reason="approved post past its planned time without a recorded publication",
        )
    ending = ApprovalRequest.objects.filter(
        status=Status.APPROVED, kind__in=list(PERIOD_KINDS), valid_until__gte=today,
        valid_until__lte=today + datetime.timedelta(days=ENDING_SOON_DAYS),
    ).select_related("requester", "decided_by")
    for req in ending:
        people = [req.requester]
        if req.kind == Kind.MONITORING and req.decided_by:
            people.append(req.decided_by)
        for person in people:
            yield Reminder(
                recipient=person, kind="approvals.ending_soon", about=req,
                period=f"ends-{req.valid_until.isoformat()}",
                url=reverse("approvals:detail", args=[req.pk]),
                title=f"Ends {format_date(req.valid_until)}: {req.title}",
                body="It ends by itself on that date. Ask again before then if it is still "
                "needed.",
                reason=f"in force until {format_date(req.valid_until)}",
            )
