import datetime
import re

from playwright.sync_api import expect

from notifications.services import notify
from notifications.sweep import run_sweep
from tests.browser.conftest import check_accessibility, sign_in


def test_a_member_of_staff_follows_a_reminder_from_the_bell_and_chooses_daily_emails(
    page, live_server, org, shot, monkeypatch
):
    from notifications import reminders

    due = [reminders.Reminder(
        recipient=org.staff, kind="ack.overdue", title="Overdue: please acknowledge the policy",
        about=org.academy, period="overdue-0", url="/notifications/preferences/",
        urgent=True, reason="3 days overdue")]
    monkeypatch.setattr(reminders, "collect_all", lambda today: iter(due))
    run_sweep(today=datetime.date(2026, 11, 26))
    notify(recipient=org.staff, kind="policies.review_due", title="A policy you follow changed",
           about=org.other)

    sign_in(page, live_server, org.staff)
    bell = page.get_by_role("link", name=re.compile("Notifications"))
    expect(bell).to_contain_text("2")
    expect(page.get_by_role("heading", name="Unread notifications")).to_be_visible()
    check_accessibility(page, "home with unread notifications")
    shot("home")

    bell.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    why = "Why: Your acknowledgement of a policy is overdue (3 days overdue)."
    expect(page.get_by_text(why)).to_be_visible()
    check_accessibility(page, "notification list")
    shot("list")

    mark_read = page.get_by_role("button", name=re.compile("Mark as read.*A policy you follow"))
    mark_read.click()
    expect(mark_read).to_have_count(0)  # swapped in place by htmx: the item stays, marked read
    expect(page.get_by_text("A policy you follow changed")).to_be_visible()

    page.get_by_role("link", name="Overdue: please acknowledge the policy").click()
    expect(page).to_have_url(re.compile("/notifications/preferences/"))
    expect(page.get_by_role("link", name=re.compile("Notifications"))).not_to_contain_text("1")
    check_accessibility(page, "preferences")
    page.get_by_role("group", name="Reported misuse cases").get_by_label(
        "Show in the portal only (no email)").check()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_text("Your notification choices are saved.")).to_be_visible()
    expect(page.get_by_role("group", name="Reported misuse cases").get_by_label(
        "Show in the portal only (no email)")).to_be_checked()
    shot("preferences-saved")
