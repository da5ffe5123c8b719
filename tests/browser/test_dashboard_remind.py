"""The team dashboard's "Remind" buttons live in the cached People rows and send the page's one
form (with its CSRF token): a real browser must post it to that person's reminder."""

import re

from playwright.sync_api import expect

from notifications.models import Notification
from tests.acknowledgements.conftest import policy_make, publish, version_make
from tests.browser.conftest import sign_in


def test_a_line_manager_reminds_a_report_from_rows_served_from_the_cache(page, live_server, org):
    publish(version_make(policy_make(), only_sections=3))

    sign_in(page, live_server, org.manager)
    page.goto(f"{live_server.url}/acknowledgements/compliance/team/")
    page.reload()  # the People rows now come from the cache
    page.get_by_role("button", name=re.compile("Remind Staff Member")).click()

    expect(page.get_by_text("Reminder sent to Staff Member.")).to_be_visible()
    expect(page).to_have_url(re.compile("/acknowledgements/compliance/team/"))
    assert Notification.objects.filter(recipient=org.staff, kind="ack.nudge").exists()
