"""Reading a policy section by section with the keyboard: "Next section" is a few Tab presses
away, not after the whole text; the reading list shows each section's number once."""

from playwright.sync_api import expect

from acknowledgements.models import Assignment
from tests.acknowledgements.conftest import policy_make, publish, version_make
from tests.browser.conftest import sign_in
from tests.browser.test_keyboard_acknowledge import focused

#: Tab presses from the top of a section page: the skip link to the section navigation, Enter,
#: then Tab lands on "Next section".
MOST_TABS = 3


def test_next_section_is_a_few_tab_presses_from_the_top_of_a_section(page, live_server, org):
    version = publish(version_make(policy_make(), only_sections=3))
    assignment = Assignment.objects.get(person=org.staff, version=version)
    sign_in(page, live_server, org.staff)
    page.goto(f"{live_server.url}/acknowledgements/a/{assignment.pk}/read/1/")
    expect(page.get_by_text("section 1 of 3")).to_be_visible()
    tabs = 0
    while tabs < 40:
        page.keyboard.press("Tab")
        tabs += 1
        now = focused(page)
        if now["text"].startswith("Skip to previous and next section"):
            page.keyboard.press("Enter")
        elif now["text"] == "Next section":
            break
    assert focused(page)["text"] == "Next section"
    assert tabs <= MOST_TABS, f"{tabs} Tab presses to reach Next section"
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_text("section 2 of 3")).to_be_visible()


def test_the_reading_list_shows_each_section_number_once(page, live_server, org):
    version = publish(version_make(policy_make(), only_sections=3))
    assignment = Assignment.objects.get(person=org.staff, version=version)
    sign_in(page, live_server, org.staff)
    page.goto(f"{live_server.url}/acknowledgements/a/{assignment.pk}/read/1/")
    first = page.locator(".ack-progress li").first
    expect(first).to_contain_text("1.")
    marker = first.evaluate("li => getComputedStyle(li).listStyleType")
    assert marker == "none", f"the list adds its own number ({marker}) before “1. …”"
