import re
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import check_accessibility, sign_in

SEED = Path(__file__).resolve().parents[2] / "policies/seed/social-media-policy-2023.txt"


def _move(page, step: str, reason: str, fill: dict | None = None, check=None) -> None:
    page.get_by_role("link", name=step).click()
    page.get_by_label(re.compile("Reason|Why consultation")).fill(reason)
    for label, value in (fill or {}).items():
        page.get_by_label(label).fill(value)
    if check:
        page.get_by_label(check).check()
    page.get_by_role("button", name=step).click()


def test_owner_walks_a_policy_to_publication_edits_a_draft_and_staff_read_it(
    page, live_server, org, shot
):
    # The policy owner (the CEO) imports the seed document.
    sign_in(page, live_server, org.ceo)
    page.goto(f"{live_server.url}/policies/")
    page.get_by_role("link", name="Import a policy").click()
    check_accessibility(page, "import page")
    page.get_by_label("Policy document").set_input_files(str(SEED))
    page.get_by_label("Title").fill("Social Media Policy")
    page.get_by_role("button", name="Preview the import").click()
    # Nothing is saved until the preview is confirmed.
    preview = page.get_by_role("heading", level=2, name="Preview: Social Media Policy")
    expect(preview).to_be_visible()
    expect(page.locator("main")).to_contain_text("93 clauses")
    expect(page.get_by_role("rowheader", name="5.1 f)", exact=True)).to_be_visible()
    check_accessibility(page, "import preview")
    shot("import-preview")
    page.get_by_role("button", name="Import as a draft").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Approval record")
    expect(page.locator(".messages")).to_contain_text("93 clauses")
    check_accessibility(page, "approval record")
    shot("imported")

    # Consultation, CEO approval, LGB Cluster ratification, publication.
    _move(page, "Start consultation with the trade unions (JNC)", "JNC meeting.")
    _move(page, "Close consultation and send for CEO approval", "Consultation closed.",
          {"What the unions said": "No objections."})
    page.get_by_role("link", name="Approve as CEO").click()
    check_accessibility(page, "approval form")
    page.get_by_label("Reason or comment for the record").fill("Approved.")
    page.get_by_role("button", name="Approve as CEO").click()
    _move(page, "Record LGB Cluster ratification", "Ratified at the autumn meeting.",
          {"Date of the LGB Cluster meeting": "2026-11-20"})
    page.get_by_role("link", name="Publish").click()
    page.get_by_label("Reason or comment for the record").fill("Publish for all staff.")
    page.get_by_role("radio", name=re.compile("Material")).check()
    page.get_by_label("Change summary for staff").fill("The trust's Social Media Policy.")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messages")).to_contain_text("is now published")
    check_accessibility(page, "reading page (owner)")
    shot("published")

    # A new draft: change a clause, then see the redline.
    page.get_by_role("link", name="All versions").click()
    page.get_by_role("button", name=re.compile("Start a new draft")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Edit draft")
    check_accessibility(page, "draft editor")
    page.get_by_role("link", name="Edit clause 4.1", exact=True).click()
    text = page.get_by_label("Text")
    text.fill(text.input_value().replace("dayto-day", "day-to-day"))
    check_accessibility(page, "clause editor")
    page.get_by_role("button", name="Save clause").click()
    expect(page.locator(".messages")).to_contain_text("Clause 4.1 saved")
    page.get_by_role("link", name="Compare versions").click()
    expect(page.locator(".redline")).to_contain_text("4.1")
    expect(page.locator(".redline del")).to_have_text("dayto")
    expect(page.locator(".redline ins")).to_have_text("day-to")
    check_accessibility(page, "redline")
    shot("redline")

    # Staff read the published version and follow a clause link.
    page.context.clear_cookies()
    sign_in(page, live_server, org.staff)
    page.goto(f"{live_server.url}/policies/")
    page.get_by_role("link", name="Social Media Policy").click()
    expect(page).to_have_url(re.compile(r"/policies/social-media-policy/\d{4}-\d{2}/$"))
    check_accessibility(page, "reading page (staff)")
    page.get_by_role("link", name="5. Compliance with related policies and agreements").click()
    page.locator('a[href="#5.1-f"]').click()
    expect(page).to_have_url(re.compile(r"#5\.1-f$"))
    expect(page.locator(":target")).to_contain_text("harass or bully other staff")
    page.goto(page.url)
    expect(page.locator(":target")).to_be_in_viewport()
    shot("clause-link")
