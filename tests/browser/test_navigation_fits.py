"""The main navigation fits one line at 1280 px for the busiest roles and at most two at phone
width (390 px), and its menus work with the keyboard. Screenshots: test-artifacts/."""

import pytest
from playwright.sync_api import expect

from tests.approvals.conftest import make_post
from tests.browser.conftest import NAV_LINES, sign_in


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"


@pytest.mark.parametrize("role", ["principal", "ceo", "hr"])
def test_the_navigation_is_one_line_at_1280_and_at_most_two_at_phone_width(
        page, live_server, org, shot, role):
    make_post(org.staff)  # a badge on Approvals for the Principal and the CEO
    person = getattr(org, role)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, person)
    page.goto(f"{live_server.url}/")
    folder = shot(role).parent  # at 1280 px and 390 px, each checked (tests/browser/conftest.py)
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.evaluate(NAV_LINES) == 1, f"the {role}'s navigation wraps at 1280 px"

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/")
    assert page.evaluate(NAV_LINES) <= 2
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= 390, f"the page is {scroll_width} px wide at 390 px"
    # Usable at phone width: the menu opens and its links can be followed.
    page.get_by_role("button", name="Menu").click()
    expect(page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Home")).to_be_visible()
    page.screenshot(path=str(folder / f"{role}-390-menu-open.png"), full_page=True)


def test_the_records_menu_opens_and_closes_with_the_keyboard(page, live_server, org):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, org.hr)
    page.goto(f"{live_server.url}/")
    nav = page.get_by_role("navigation", name="Main")
    audit_packs = nav.get_by_role("link", name="Audit packs")
    expect(audit_packs).to_be_hidden()
    nav.locator("summary", has_text="Records").focus()
    page.keyboard.press("Enter")
    expect(audit_packs).to_be_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Audit packs"
    page.keyboard.press("Escape")
    expect(audit_packs).to_be_hidden()
    assert page.evaluate("() => document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/audit-packs/")
