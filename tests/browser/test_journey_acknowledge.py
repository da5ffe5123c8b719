import re

from playwright.sync_api import expect

from acknowledgements.models import Acknowledgement, Assignment, Question
from acknowledgements.services import acknowledgement_record
from policies.models import Clause
from tests.acknowledgements.conftest import policy_make, publish, version_make
from tests.browser.conftest import check_accessibility, sign_in


def test_staff_reacknowledge_a_material_change_and_the_principal_sees_it(
    page, live_server, org, shot
):
    # Version 1 was acknowledged; HR published a material change with a question.
    policy = policy_make()
    first = publish(version_make(policy, only_sections=3))
    acknowledgement_record(
        assignment=Assignment.objects.get(person=org.staff, version=first), method="portal",
        check_reading=False)
    second = version_make(policy, "2025-09", only_sections=3, changes={
        "2.1": "This policy covers all employees working at all levels and grades, and "
               "everyone who volunteers with us."})
    publish(second, actor=org.hr)
    Question.objects.create(
        version=second, order=1, text="Who does the policy cover?",
        choices=["Only teachers", "Employees and volunteers"], correct_choice=1,
        clause=Clause.objects.get(version=second, number="2.1"))

    # Staff sign in and find the waiting policy on their home page.
    sign_in(page, live_server, org.staff)
    panel = page.get_by_role("region", name="Policies waiting for you")
    expect(panel).to_contain_text("Social Media Policy (version 2025-09)")
    check_accessibility(page, "home with waiting policy")
    shot("home")
    panel.get_by_role("link", name=re.compile("Social Media Policy")).click()

    # They acknowledged 2023-09, so the redline comes first.
    expect(page.get_by_role("heading", level=1)).to_contain_text("What changed")
    expect(page.locator(".ack-redline tbody")).to_contain_text("everyone who volunteers")
    check_accessibility(page, "redline")
    shot("redline")
    page.get_by_role("link", name="Read the policy").click()

    # Read every section.
    for number in range(1, 4):
        expect(page.get_by_text(f"section {number} of 3")).to_be_visible()
        check_accessibility(page, f"section {number}")
        if number < 3:
            page.get_by_role("link", name="Next section", exact=True).first.click()
    shot("last-section")
    page.get_by_role("link", name="Continue to acknowledge").first.click()

    # A wrong answer points to the clause to re-read.
    check_accessibility(page, "acknowledge page")
    page.get_by_label("Only teachers").check()
    page.get_by_label(re.compile("^I have read and understood")).check()
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Question 1 is not right yet: re-read clause 2.1")
    # The summary takes focus and links to the question at fault.
    assert page.evaluate("() => document.activeElement.hasAttribute('data-error-summary')")
    expect(page.get_by_role("link", name="clause 2.1", exact=True)).to_be_visible()
    check_accessibility(page, "wrong answer")
    shot("wrong-answer")
    page.get_by_label("Employees and volunteers").check()
    page.get_by_label(re.compile("^I have read and understood")).check()
    page.get_by_role("button", name="Acknowledge").click()

    # Done: the record is shown.
    expect(page.get_by_role("heading", level=1)).to_have_text("Acknowledged")
    expect(page.locator(".lead")).to_contain_text("Thank you")
    check_accessibility(page, "receipt")
    shot("done")
    record = Acknowledgement.objects.get(person=org.staff, version=second)
    assert record.answers == [{"question": "Who does the policy cover?",
                               "answer": "Employees and volunteers"}]
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("region", name="Policies waiting for you")).to_contain_text(
        "You have acknowledged every policy")

    # The Principal's dashboard shows it at once and exports the CSV.
    page.context.clear_cookies()
    sign_in(page, live_server, org.principal)
    page.get_by_role("link", name="Compliance").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Northfield Primary Academy")
    row = page.get_by_role("row", name=re.compile("Staff Member"))
    expect(row).to_contain_text("Acknowledged")
    check_accessibility(page, "academy dashboard")
    shot("principal-dashboard")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    csv_text = open(download_info.value.path()).read()
    assert "Staff Member" in csv_text and "Other Staff" not in csv_text
