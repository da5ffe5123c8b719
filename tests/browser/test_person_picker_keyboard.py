"""HR changes a person's line manager with the keyboard alone, through the person search
picker: type in the search box, Enter does not send the form, Down arrow reaches the results."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import check_accessibility, sign_in

WAIT = 15_000


def test_hr_changes_a_persons_line_manager_by_searching_with_the_keyboard(page, live_server,
                                                                          org, shot):
    page.set_default_timeout(WAIT)
    sign_in(page, live_server, org.hr)
    page.goto(f"{live_server.url}/people/{org.staff.pk}/edit/")
    box = page.get_by_role("searchbox", name="Line manager")
    expect(page.get_by_role("radio", name="Line Manager (Staff, Northfield Primary Academy)")
           ).to_be_checked()
    check_accessibility(page, "person form")
    box.focus()
    page.keyboard.type("principal north")
    page.keyboard.press("Enter")  # searches now; must not send the form
    choice = page.get_by_role("radio", name="Principal North (Principal, Northfield Primary "
                                            "Academy)")
    expect(choice).to_be_visible()
    assert "/edit/" in page.url
    # The person chosen before stays checked until another is chosen.
    expect(page.get_by_role("radio", name="Line Manager (Staff, Northfield Primary Academy)")
           ).to_be_checked()
    expect(page.get_by_text("1 person matches")).to_be_visible()
    check_accessibility(page, "person form with search results")
    shot("line-manager-search")
    page.keyboard.press("ArrowDown")  # to the results: the checked one first
    page.keyboard.press("ArrowDown")  # arrow keys move the choice within the radio group
    expect(choice).to_be_checked()
    expect(choice).to_be_focused()
    page.get_by_role("button", name="Save").click()
    # The record has no start date: the form comes back with the new choice still checked.
    expect(page.get_by_text("This field is required.")).to_be_visible()
    expect(choice).to_be_checked()
    page.get_by_label("Start date").fill("2024-09-01")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(rf"/people/{org.staff.pk}/$"))
    expect(page.get_by_text("Saved the changes to Staff Member.")).to_be_visible()
    org.staff.refresh_from_db()
    assert org.staff.line_manager == org.principal
