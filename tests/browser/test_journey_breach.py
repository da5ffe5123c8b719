"""A teacher reports a colleague's post; the Principal handles it to a written warning; the
colleague appeals and the CEO hears the appeal. Another teacher finds no trace of it."""

import re

from playwright.sync_api import expect

from breaches.models import Case
from tests.breaches.conftest import PNG_BYTES, publish_policy
from tests.browser.conftest import check_accessibility, sign_in, totp_now

#: The machine is shared; give slow page loads time before calling a step failed.
WAIT = 15_000


def _sign_in(page, live_server, user):
    """sign_in, answering the authenticator step again if a code expired on its way (the
    30-second window can turn over between making the code and checking it)."""
    sign_in(page, live_server, user)
    for _attempt in range(2):
        if "/accounts/2fa/authenticate/" not in page.url:
            break
        page.wait_for_timeout(1000)
        page.get_by_label(re.compile("Authenticator code|Code", re.I)).fill(totp_now())
        page.get_by_role("button", name=re.compile("Sign in|Verify|Submit", re.I)).click()
        page.wait_for_load_state()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=WAIT)


def _sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def test_a_report_goes_from_a_teacher_to_an_outcome_and_an_appeal(page, live_server, org, shot):
    page.set_default_timeout(WAIT)
    version = publish_policy()
    b_clause = version.clauses.get(number="10.4 b)")
    pupil_clause = version.clauses.get(number="10.6 b)")

    # A teacher reports a colleague's post with a screenshot and the clauses it breaches.
    _sign_in(page, live_server, org.staff)
    page.get_by_role("link", name="Report misuse").click()
    check_accessibility(page, "reports home")
    page.get_by_role("link", name="Make a report").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Report misuse", timeout=WAIT)
    check_accessibility(page, "report form")
    # The person concerned is found by typing (the page does not list everyone in the trust).
    page.get_by_role("searchbox", name="Person concerned").fill("collea")
    colleague = page.get_by_role(
        "radio", name="Staff Colleague (Staff, Northfield Primary Academy)")
    expect(colleague).to_be_visible(timeout=WAIT)
    check_accessibility(page, "report form with search results")
    colleague.check()
    page.get_by_role("combobox", name="Platform").select_option("facebook")
    page.get_by_label("Links to the posting").fill("https://www.facebook.com/groups/x/posts/9")
    page.get_by_label("When did you see it?").fill("2026-11-20T18:30")
    page.get_by_label("What happened?").fill(
        "A post in the parents' group mocks a colleague and shows pupils on a school trip.")
    page.locator(f"input[name=clauses][value='{b_clause.pk}']").check()
    page.locator(f"input[name=clauses][value='{pupil_clause.pk}']").check()
    page.get_by_label("Evidence file").set_input_files(
        files=[{"name": "post.png", "mimeType": "image/png", "buffer": PNG_BYTES}])
    page.get_by_label("What the file shows").fill("Screenshot of the post")
    shot("report-filled")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Report sent", timeout=WAIT)
    check_accessibility(page, "report sent")
    shot("report-sent")
    case = Case.objects.get()
    assert case.handler == org.principal
    _sign_out(page)

    # The Principal receives it, triages and opens a formal investigation.
    _sign_in(page, live_server, org.principal)
    waiting = page.get_by_text("Reports of social media misuse waiting for you")
    expect(waiting).to_be_visible(timeout=WAIT)
    shot("principal-home")
    page.get_by_role("link", name=case.reference, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference, timeout=WAIT)
    check_accessibility(page, "case page")
    shot("case-reported")
    page.get_by_role("link", name="Start triage").click()
    check_accessibility(page, "triage form")
    page.get_by_role("radio", name="High", exact=True).check()
    page.get_by_role("radio", name="No", exact=True).check()
    page.get_by_role("button", name="Start triage").click()
    page.get_by_role("link", name="Open a formal investigation").click()
    page.get_by_label("Reason").fill("The post names pupils and disparages a colleague.")
    page.get_by_role("button", name="Open a formal investigation").click()
    expect(page.get_by_text("Formal investigation").first).to_be_visible(timeout=WAIT)

    # ... asks for the post to be removed (clause 3.4) ...
    page.get_by_text("Record a note, meeting or request").click()
    page.get_by_label("What are you recording?").select_option("removal_request")
    page.get_by_label("Details").fill("Please remove the post from the parents' group today.")
    page.get_by_role("button", name="Record", exact=True).click()
    recorded = page.get_by_text("Request to remove the posting (clause 3.4) recorded.")
    expect(recorded).to_be_visible(timeout=WAIT)
    check_accessibility(page, "case with a removal request")
    shot("removal-requested")

    # ... and records a written warning citing 10.4 b).
    page.get_by_role("link", name="Record the outcome").click()
    page.get_by_role("radio", name="Written warning", exact=True).check()
    page.locator(f"input[name=clauses_breached][value='{pupil_clause.pk}']").uncheck()
    page.get_by_label("Reasons").fill("The post was intended to belittle a colleague.")
    check_accessibility(page, "outcome form")
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.get_by_text("Written warning").first).to_be_visible(timeout=WAIT)
    shot("outcome-recorded")
    _sign_out(page)

    # The colleague is notified and appeals.
    _sign_in(page, live_server, org.colleague)
    page.get_by_role("link", name=case.reference, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("A report about you", timeout=WAIT)
    expect(page.get_by_text("Please remove the post from the parents' group today.")
           ).to_be_visible(timeout=WAIT)
    check_accessibility(page, "about me")
    page.get_by_label("Grounds of appeal").fill("The post was a joke among friends.")
    page.get_by_role("button", name="Lodge my appeal").click()
    expect(page.get_by_text("Your appeal has been lodged.")).to_be_visible(timeout=WAIT)
    shot("appeal-lodged")
    _sign_out(page)

    # The CEO hears the appeal.
    _sign_in(page, live_server, org.ceo)
    page.get_by_role("link", name=case.reference, exact=True).first.click()
    page.get_by_role("link", name="Decide the appeal").click()
    page.get_by_role("radio", name="Dismissed", exact=True).check()
    page.get_by_label("Reasons").fill("The post was public and named a colleague.")
    check_accessibility(page, "appeal decision")
    page.get_by_role("button", name="Decide the appeal").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Closed", timeout=WAIT)
    shot("appeal-decided")
    _sign_out(page)

    # Another teacher cannot find any trace of the case.
    _sign_in(page, live_server, org.outsider)
    response = page.goto(f"{live_server.url}/reports/cases/{case.pk}/")
    assert response.status == 404
    page.goto(f"{live_server.url}/reports/")
    expect(page.get_by_role("main")).not_to_contain_text(case.reference)
    response = page.goto(f"{live_server.url}/reports/cases/")
    assert response.status == 403
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("main")).not_to_contain_text(re.compile(case.reference))
    shot("outsider-sees-nothing")
