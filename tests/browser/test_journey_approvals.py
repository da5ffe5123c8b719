"""The CEO journey: a business post with a pupil photo, changes, approval, publication."""

import re
import time

from playwright.sync_api import expect

from approvals.demo import demo_png
from tests.approvals.conftest import soon
from tests.browser.conftest import check_accessibility, sign_in


def _sign_in_again(page, live_server, user, last_window: list[int]) -> None:
    """A TOTP code works once: wait for a fresh 30-second window before signing in again."""
    # Also keep clear of the end of a window, so the code is still valid when it arrives.
    while int(time.time()) // 30 in last_window or time.time() % 30 > 22:
        time.sleep(0.5)
    last_window.append(int(time.time()) // 30)
    sign_in(page, live_server, user)
    last_window.append(int(time.time()) // 30)  # the code may have come from the next window
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def _sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def test_the_ceo_asks_for_a_change_then_approves_a_teachers_post_with_a_condition(
        page, live_server, org, shot, settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    base = live_server.url

    # A teacher asks for approval of a post with a pupil photo.
    sign_in(page, live_server, org.staff)
    page.get_by_role("link", name="Approvals").first.click()
    page.get_by_role("link", name="Ask for approval").first.click()
    check_accessibility(page, "choose a kind of request")
    page.get_by_role("link", name="Business social media post").click()
    page.get_by_label("Short title").fill("Year 5 science week")
    page.get_by_label("Platform").select_option("facebook")
    page.get_by_label("Account or page").fill("@NorthfieldPrimary")
    page.get_by_label("Text of the post").fill("Year 5 built circuits in science week!")
    page.get_by_label("Images or video (optional)", exact=True).set_input_files(
        files=[{"name": "circuits.png", "mimeType": "image/png", "buffer": demo_png()}])
    page.get_by_label("Description of the images or video (optional)").fill(
        "Two pupils with a circuit")
    page.get_by_label("Planned publication time").fill(soon(3, 10).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Audience").select_option("parents")
    page.get_by_label("Pupils appear in the images or video").check()
    page.get_by_label(re.compile("current photo consent")).check()
    page.get_by_label("How consent was checked").fill("Photo consent list, checked today")
    check_accessibility(page, "post request form")
    shot("teacher-fills-post")
    page.get_by_role("button", name="Send for approval").click()
    expect(page.get_by_text("Sent for approval")).to_be_visible()
    expect(page.get_by_role("img", name="Two pupils with a circuit")).to_be_visible()
    check_accessibility(page, "request detail (teacher)")
    shot("teacher-sent")
    _sign_out(page)

    # The CEO signs in with a second factor and asks for a change.
    ceo_windows: list[int] = []
    _sign_in_again(page, live_server, org.ceo, ceo_windows)
    expect(page.get_by_role("heading", name="Waiting for my decision")).to_be_visible()
    check_accessibility(page, "CEO home")
    shot("ceo-home")
    page.get_by_role("link", name="Year 5 science week").first.click()
    page.get_by_label("Ask for changes").check()
    page.get_by_label("Written reasons").fill("Please name the museum partner who helped.")
    check_accessibility(page, "decision form")
    shot("ceo-asks-for-change")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Recorded: asked for changes")).to_be_visible()
    _sign_out(page)

    # The teacher sees the reasons and resubmits.
    sign_in(page, live_server, org.staff)
    page.goto(f"{base}/approvals/")
    page.get_by_role("link", name=re.compile("Year 5 science week")).click()
    expect(page.get_by_text("Please name the museum partner who helped.").first).to_be_visible()
    page.get_by_role("link", name="Change and resubmit").click()
    page.get_by_label("Text of the post").fill(
        "Year 5 built circuits in science week, with help from the Science Museum!")
    check_accessibility(page, "resubmission form")
    page.get_by_role("button", name="Resubmit for approval").click()
    expect(page.get_by_text("Version 2 sent for approval")).to_be_visible()
    _sign_out(page)

    # The CEO compares the versions and approves with a condition.
    _sign_in_again(page, live_server, org.ceo, ceo_windows)
    page.goto(f"{base}/approvals/queue/")
    page.get_by_role("link", name=re.compile("Year 5 science week")).click()
    page.get_by_role("link", name="Compare versions").first.click()
    expect(page.locator(".redline ins").first).to_contain_text("with help from the Science Museum")
    check_accessibility(page, "compare versions")
    shot("ceo-compares")
    page.go_back()
    page.get_by_label(re.compile("Approve with conditions")).check()
    page.get_by_label("Written reasons").fill("A good story that shows our partnership.")
    # Forgetting the conditions: the page comes back with the decision and reasons kept.
    page.get_by_role("button", name="Record decision").click()
    conditions = page.get_by_role("textbox", name="Conditions (requirements and restrictions)")
    expect(conditions).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label(re.compile("Approve with conditions"))).to_be_checked()
    expect(page.get_by_label("Written reasons")).to_have_value(
        "A good story that shows our partnership.")
    shot("ceo-forgot-the-conditions")
    conditions.fill("Do not name the pupils in comments.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Recorded: approved with conditions")).to_be_visible()
    _sign_out(page)

    # The teacher sees the condition and records the published link.
    sign_in(page, live_server, org.staff)
    page.goto(f"{base}/approvals/")
    page.get_by_role("link", name=re.compile("Year 5 science week")).click()
    expect(page.get_by_role("heading", name="Conditions you must follow")).to_be_visible()
    expect(page.get_by_text("Do not name the pupils in comments.").first).to_be_visible()
    check_accessibility(page, "approved request (teacher)")
    shot("teacher-sees-condition")
    page.get_by_role("link", name="Record publication").click()
    page.get_by_label("Link to the published post").fill(
        "https://www.facebook.com/NorthfieldPrimary/posts/123")
    page.get_by_label(re.compile("exactly the approved text")).check()
    check_accessibility(page, "record publication")
    page.get_by_role("button", name="Record publication").click()
    expect(page.get_by_text("Publication recorded")).to_be_visible()
    expect(page.get_by_role("link", name="https://www.facebook.com/NorthfieldPrimary/posts/123")
           ).to_be_visible()
    shot("teacher-recorded-publication")
    _sign_out(page)

    # The CEO's queue is empty and the academy calendar shows the post.
    _sign_in_again(page, live_server, org.ceo, ceo_windows)
    page.goto(f"{base}/approvals/queue/")
    expect(page.get_by_text("Nothing is waiting for your decision.")).to_be_visible()
    check_accessibility(page, "empty queue")
    shot("ceo-queue-empty")
    month = soon(3, 10).strftime("%Y-%m")
    page.goto(f"{base}/approvals/calendar/?academy={org.academy.code}&month={month}")
    expect(page.get_by_role("link", name="Year 5 science week")).to_be_visible()
    expect(page.get_by_text("Published as approved")).to_be_visible()
    check_accessibility(page, "academy calendar")
    shot("ceo-calendar")
    for path, name in [("register/", "register"), ("monitoring/", "monitoring register"),
                       ("delegations/", "deputy"), ("routing/", "routing")]:
        page.goto(f"{base}/approvals/{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        check_accessibility(page, name)
