"""HR's Word loop in the browser: download the published version as Word, edit it, upload it
as the next version, see the redline."""

import re

from playwright.sync_api import expect

from policies import services
from tests.browser.conftest import check_accessibility, sign_in
from tests.documents.wordfiles import NEW_CLAUSE, edit_like_hr
from tests.policies.conftest import SEED_PATH, walk


def test_hr_downloads_the_policy_as_word_edits_it_uploads_it_and_sees_the_redline(
    page, live_server, org, shot, tmp_path
):
    version = services.policy_import(text=SEED_PATH.read_text(), title="Social Media Policy",
                                     actor=org.hr).version
    walk(version, org, "published")

    sign_in(page, live_server, org.hr)
    page.goto(f"{live_server.url}/policies/social-media-policy/{version.label}/")
    check_accessibility(page, "reading page with downloads")
    shot("reading-page-with-downloads")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Word (.docx)").click()
    download = download_info.value
    assert download.suggested_filename == f"social-media-policy-{version.label}.docx"
    exported = tmp_path / download.suggested_filename
    download.save_as(exported)

    edited = tmp_path / "social-media-policy-edited.docx"
    edited.write_bytes(edit_like_hr(exported.read_bytes()))

    page.goto(f"{live_server.url}/policies/import/")
    page.get_by_label("Policy document").set_input_files(str(edited))
    page.get_by_role("button", name="Preview the import").click()
    expect(page.locator("main")).to_contain_text("The next version of")
    expect(page.locator("main")).to_contain_text(
        re.compile(r"\d+ clauses? changed, 1 added, 1 removed"))
    page.get_by_role("button", name="Import as a draft").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Approval record")
    expect(page.locator(".messages")).to_contain_text("93 clauses")
    shot("imported-from-word")

    page.get_by_role("link", name="Compare versions").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    body = page.locator("main")
    expect(body).to_contain_text(NEW_CLAUSE)
    expect(body).to_contain_text("and Principals")
    expect(body).to_contain_text(re.compile(r"While using social media at work"))
    check_accessibility(page, "redline of the Word edits")
    shot("redline")
