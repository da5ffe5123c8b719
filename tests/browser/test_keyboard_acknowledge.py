"""The whole acknowledge flow with the keyboard alone: Tab, Shift+Tab, Enter and Space."""

from playwright.sync_api import expect

from acknowledgements.models import Acknowledgement, Question
from policies.models import Clause
from tests.acknowledgements.conftest import policy_make, publish, version_make
from tests.browser.conftest import PASSWORD


def focused(page) -> dict:
    return page.evaluate(
        "() => { const e = document.activeElement; return {tag: e.tagName, "
        "text: (e.innerText || e.value || '').trim(), id: e.id || '', type: e.type || ''}; }"
    )


def tab_to(page, *, text: str = "", element_id: str = "", backwards: bool = False,
           limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        now = focused(page)
        if (element_id and now["id"] == element_id) or (text and now["text"].startswith(text)):
            return
    raise AssertionError(f"Could not reach {text or element_id!r} with the keyboard")


def test_a_person_can_acknowledge_with_the_keyboard_alone(page, live_server, org, shot):
    version = publish(version_make(policy_make(), only_sections=2))
    Question.objects.create(
        version=version, order=1, text="Who does the policy cover?",
        choices=["Only teachers", "Everyone who works for us"], correct_choice=1,
        clause=Clause.objects.get(version=version, number="2.1"))

    # Sign in: type into the fields reached with Tab, submit with Enter.
    page.goto(f"{live_server.url}/accounts/login/")
    tab_to(page, element_id="id_login")
    page.keyboard.type(org.staff.email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")

    # Home page: the skip link comes first, then the waiting policy.
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to main content"
    tab_to(page, text="Social Media Policy")
    page.keyboard.press("Enter")
    page.wait_for_load_state()

    # Section 1, then forward to section 2, back with Shift+Tab to "Previous", and on again.
    expect(page.get_by_text("section 1 of 2")).to_be_visible()
    tab_to(page, text="Next section")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_text("section 2 of 2")).to_be_visible()
    tab_to(page, text="Continue to acknowledge")
    tab_to(page, text="Previous section", backwards=True)
    tab_to(page, text="Continue to acknowledge")
    assert focused(page)["tag"] == "A"
    page.keyboard.press("Enter")
    page.wait_for_load_state()

    # Questions: Tab into the radio group, arrow to the right answer; Space ticks the box.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Acknowledge")
    tab_to(page, element_id=f"q{Question.objects.get().pk}-0")
    page.keyboard.press("ArrowDown")
    assert focused(page)["id"].endswith("-1")
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "agree"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Acknowledge"
    shot("keyboard-ready")
    page.keyboard.press("Enter")
    page.wait_for_load_state()

    expect(page.get_by_role("heading", level=1)).to_have_text("Acknowledged")
    shot("keyboard-done")
    assert Acknowledgement.objects.filter(person=org.staff, version=version).exists()
