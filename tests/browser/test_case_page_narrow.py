"""The case page fits a 320 px wide screen (WCAG 1.4.10 reflow) with every form open, and has
no serious accessibility violations there."""

from playwright.sync_api import expect

from breaches import services
from breaches.models import State
from tests.breaches.conftest import PNG_BYTES, publish_policy, upload
from tests.browser.conftest import check_accessibility, sign_in


def test_the_case_page_fits_320_pixels(page, live_server, org):
    from django.utils import timezone

    publish_policy()
    case = services.report_submit(reporter=org.staff, data={
        "concerned": org.colleague, "platform": "facebook", "seen_at": timezone.now(),
        "links": "https://www.facebook.com/groups/a-very-long-group-name-without-breaks/"
                 "posts/123456789012345678901234567890",
        "description": "A post with a very long word: " + "x" * 120, "safeguarding": True})
    case = services.case_transition(case=case, target=State.TRIAGE, actor=org.principal, data={
        "severity": "high", "safeguarding_confirmed": True})
    case = services.case_transition(case=case, target=State.INVESTIGATION,
                                    actor=org.principal, reason="Needed.")
    services.case_evidence_add(case=case, actor=org.principal,
                               upload=upload("screenshot-of-the-post.png", PNG_BYTES))
    services.case_item_add(case=case, actor=org.principal, kind="removal_request",
                           body="Please remove it.")
    page.set_default_timeout(15_000)
    sign_in(page, live_server, org.ceo)
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{live_server.url}/reports/cases/{case.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    for summary in page.locator("details.action > summary").all():
        summary.click()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"the case page is {width} px wide at 320 px"
    check_accessibility(page, "case page at 320 px")
