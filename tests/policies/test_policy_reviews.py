import datetime

import pytest
import time_machine
from django.urls import reverse

from notifications.reminders import collect_all
from policies import reminders, selectors, services

TODAY = datetime.date(2026, 11, 26)


@time_machine.travel("2026-11-26 09:00 +00:00")
def test_the_published_seed_policy_is_overdue_for_review_today(published):
    board = selectors.review_board()
    assert [p.title for p in board["overdue"]] == ["Social Media Policy"]
    assert board["overdue"][0].next_review_due == datetime.date(2025, 9, 1)


@time_machine.travel("2026-11-26 09:00 +00:00")
def test_the_review_board_shows_the_seed_policy_as_overdue(client_as, published):
    html = client_as("hr").get(reverse("policies:review_board")).content.decode()
    overdue = html.split('id="board-overdue"')[1].split("</section>")[0]
    assert "Social Media Policy" in overdue
    assert "451 days overdue" in overdue


@time_machine.travel("2026-11-26 09:00 +00:00")
def test_recording_a_review_sets_the_next_due_date_one_interval_later(org, published):
    services.policy_review_record(
        policy=published.policy, reviewed_on=datetime.date(2026, 11, 20), actor=org.hr,
        reviewer_name="Sean Kelly", unions_consulted="NEU, UNISON, NASUWT",
        outcome="minor_update",
    )
    published.policy.refresh_from_db()
    assert published.policy.last_reviewed_on == datetime.date(2026, 11, 20)
    assert published.policy.next_review_due == datetime.date(2028, 11, 20)
    assert selectors.review_board()["overdue"] == []


@time_machine.travel("2026-11-26 09:00 +00:00")
def test_a_review_in_the_future_is_refused(org, published):
    with pytest.raises(services.PolicyError, match="future"):
        services.policy_review_record(policy=published.policy, reviewed_on=TODAY.replace(day=27),
                                      actor=org.hr, outcome="no_change")


@pytest.mark.parametrize("days, bucket", [(95, "later"), (90, "due_90"), (31, "due_90"),
                                          (30, "due_30"), (0, "due_30"), (-1, "overdue")])
def test_the_board_buckets_reviews_by_days_left(org, published, days, bucket):
    policy = published.policy
    policy.next_review_due = TODAY + datetime.timedelta(days=days)
    policy.save()
    board = selectors.review_board(TODAY)
    assert [p.pk for p in board[bucket]] == [policy.pk]


def _due_in(policy, days: int) -> None:
    policy.next_review_due = TODAY + datetime.timedelta(days=days)
    policy.save()


@pytest.mark.parametrize("days, expected", [(91, None), (90, "90"), (45, "90"), (30, "30"),
                                            (1, "30"), (0, "due"), (-1, "overdue-week-1"),
                                            (-7, "overdue-week-1"), (-8, "overdue-week-2")])
def test_reminders_fall_in_the_90_30_due_and_weekly_overdue_windows(org, published, days,
                                                                    expected):
    _due_in(published.policy, days)
    found = list(reminders.collect_reminders(TODAY))
    if expected is None:
        assert found == []
    else:
        due = TODAY + datetime.timedelta(days=days)
        assert {r.period for r in found} == {f"review-{due:%Y-%m-%d}-{expected}"}


def test_review_reminders_go_to_the_owner_role_holders_and_hr(org, published):
    _due_in(published.policy, 30)
    recipients = {r.recipient for r in reminders.collect_reminders(TODAY)}
    assert recipients == {org.ceo, org.hr}


def test_the_daily_sweep_sends_each_review_reminder_once(org, published):
    from notifications.models import Notification
    from notifications.services import notify

    _due_in(published.policy, -10)
    for _ in range(2):
        for r in collect_all(TODAY):
            notify(recipient=r.recipient, kind=r.kind, title=r.title, body=r.body, url=r.url,
                   about=r.about, period=r.period, urgent=r.urgent)
    assert Notification.objects.filter(kind="policies.review_due").count() == 2


def test_the_review_form_records_a_review(client_as, published):
    url = reverse("policies:review_record", args=[published.policy.slug])
    response = client_as("hr").post(url, {
        "reviewed_on": "2026-01-15", "reviewer_name": "Priya Shah", "outcome": "no_change",
        "unions_consulted": "JNC",
    })
    assert response.status_code == 302
    published.policy.refresh_from_db()
    assert published.policy.next_review_due == datetime.date(2028, 1, 15)
