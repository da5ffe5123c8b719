"""Review-cycle reminders (clause 11.1) for the daily sweep; see notifications/reminders.py.

The policy owner's role holders and HR are reminded 90 and 30 days before a review is due,
on the day, and every week while it is overdue. Each reminder belongs to a *window*
(``review-<due>-90``, ``-30``, ``-due``, ``-overdue-week-N``) rather than an exact day, so a
sweep that misses a day still sends it the next day, and never twice.
"""

import datetime
from collections.abc import Iterator

from django.urls import reverse

from notifications.reminders import Reminder
from policies.models import Policy
from policies.services import owner_and_hr


def _window(days: int) -> tuple[str, str, bool] | None:
    """(period suffix, wording, urgent) for a review due in ``days`` (negative: overdue)."""
    if days > 90:
        return None
    if days > 30:
        return "90", f"due in {days} days", False
    if days > 0:
        return "30", f"due in {days} day{'s' if days != 1 else ''}", False
    if days == 0:
        return "due", "due today", True
    week = (-days - 1) // 7 + 1
    return f"overdue-week-{week}", f"overdue by {-days} day{'s' if days != -1 else ''}", True


def collect_reminders(today: datetime.date) -> Iterator[Reminder]:
    for policy in Policy.objects.filter(next_review_due__isnull=False):
        window = _window((policy.next_review_due - today).days)
        if window is None:
            continue
        suffix, wording, urgent = window
        due = f"{policy.next_review_due:%-d %B %Y}"
        url = reverse("policies:policy_detail", args=[policy.slug])
        for person in owner_and_hr(policy):
            yield Reminder(
                recipient=person,
                kind="policies.review_due",
                title=f"Review of the {policy.title} is {wording}",
                about=policy,
                period=f"review-{policy.next_review_due:%Y-%m-%d}-{suffix}",
                body=(
                    f"The {policy.title} must be reviewed every {policy.review_interval_months} "
                    f"months. Its next review is due by {due}. Record the review in the policy "
                    "library when it is done."
                ),
                url=url,
                urgent=urgent,
                reason=f"next review due {due} ({wording})",
            )
