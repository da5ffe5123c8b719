"""HR imports staff, asks for the Social Media Policy audit pack, watches it, downloads it."""

import io
import re
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import check_accessibility, sign_in

SEED = Path(__file__).resolve().parents[2] / "policies/seed/social-media-policy-2023.txt"


def publish_seed_policy(actor):
    """The real 93-clause policy, published, with everyone asked to acknowledge it."""
    from acknowledgements.services import assignments_on_publish
    from policies.models import Clause, Policy, PolicyVersion
    from policies.parsing import parse_policy_text

    text = SEED.read_text()
    parsed = parse_policy_text(text)
    policy = Policy.objects.create(title="Social Media Policy", slug="social-media-policy")
    version = PolicyVersion.objects.create(policy=policy, label="2023-09", source_text=text,
                                           created_by=actor)
    Clause.objects.bulk_create([
        Clause(version=version, number=c.number, anchor=c.anchor, heading=c.heading,
               text=c.text, level=c.level, order=c.order) for c in parsed.clauses])
    version.content_hash = version.compute_content_hash()
    version.save()
    PolicyVersion.objects.filter(pk=version.pk).update(
        status="published", change_kind="material", published_at=timezone.now())
    version.refresh_from_db()
    assignments_on_publish(version=version, previous=None)
    return version


def test_hr_imports_staff_and_downloads_the_policy_audit_pack(
    page, live_server, org, shot, settings, tmp_path, monkeypatch
):
    from auditpacks import services
    from auditpacks.models import Pack

    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    sign_in(page, live_server, org.hr)

    # Import two new members of staff: preview first, then apply.
    page.goto(f"{live_server.url}/people/import/")
    check_accessibility(page, "staff import")
    csv_file = tmp_path / "staff.csv"
    csv_file.write_text(
        "email,full_name,academy,job_title,category,start_date,role,leaving_date,"
        "line_manager_email\n"
        f"imogen.hart@trust.test,Imogen Hart,{org.academy.code},Teacher,employee,2024-09-01,"
        f"staff,,{org.manager.email}\n"
        f"felix.rowe@trust.test,Felix Rowe,{org.other.code},Volunteer,volunteer,2024-09-01,"
        "staff,,\n")
    page.get_by_label("Staff CSV file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name=re.compile("Preview: 2 rows"))).to_be_visible()
    check_accessibility(page, "import preview")
    shot("import-preview")
    page.get_by_role("button", name="Apply this import").click()
    page.wait_for_load_state()
    shot("import-applied")

    # The policy is published to everyone, the imported people included.
    version = publish_seed_policy(org.ceo)

    # Ask for the pack. The worker is held back so the progress can be watched.
    monkeypatch.setattr(services, "_queue_build", lambda pack: None)
    nav = page.get_by_role("navigation", name="Main")
    nav.locator("summary", has_text="Records").click()
    nav.get_by_role("link", name="Audit packs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit packs")
    check_accessibility(page, "audit packs")
    page.get_by_label("Policy and version").select_option(label="Version 2023-09 (published)")
    shot("audit-packs")
    page.get_by_role("button", name="Build the pack").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Social Media Policy 2023-09")
    expect(page.locator("#pack-progress")).to_contain_text("Waiting to start")
    check_accessibility(page, "pack waiting")
    shot("pack-waiting")

    # The worker builds it; the page updates itself without a reload.
    pack = Pack.objects.get()
    services.pack_build(pack_id=pack.pk)
    download_link = page.get_by_role("link", name="Download the PDF")
    expect(download_link).to_be_visible(timeout=15_000)
    check_accessibility(page, "pack ready")
    shot("pack-ready")

    with page.expect_download() as info:
        download_link.click()
    data = Path(info.value.path()).read_bytes()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert pack.document_id in text
    assert "Imogen Hart" in text and "Felix Rowe" in text
    assert "10.4 a) i." in text.replace("\n", " ") or "10.4 a) i" in text
    assert version.label in text

    # And the same file verifies.
    nav = page.get_by_role("navigation", name="Main")
    nav.locator("summary", has_text="Records").click()
    nav.get_by_role("link", name="Audit packs").click()
    page.get_by_role("link", name="Verify a pack").click()
    check_accessibility(page, "verify page")
    page.get_by_label("Audit pack PDF").set_input_files(
        files=[{"name": "pack.pdf", "mimeType": "application/pdf", "buffer": data}])
    page.get_by_role("button", name="Check the pack").click()
    expect(page.get_by_role("heading", level=2, name=re.compile("Matches"))).to_be_visible()
    check_accessibility(page, "verify result")
    shot("verified")
