"""The pack's cover says each thing once and names each hash for what it is; the pack page
stops saying "being built" once the pack is ready."""

from django.urls import reverse

from auditpacks import services
from auditpacks.models import Pack
from tests.auditpacks.conftest import build_policy_pack, pdf_text
from tests.htmlcheck import Page


def test_the_cover_gives_the_document_id_once(org, versions):
    pack = build_policy_pack(org.hr, versions[1])
    cover = " ".join(pdf_text(pack.file_path.read_bytes()).split("Contents")[0].split())
    assert f"Document ID {pack.document_id}" in cover
    assert "Document ID: " not in cover  # not "Document ID / Document ID: AP-…"


def test_the_two_hashes_are_named_for_what_each_is(org, versions):
    pack = build_policy_pack(org.hr, versions[1])
    text = " ".join(pdf_text(pack.file_path.read_bytes()).split())
    assert "keyed hash of the latest acknowledgement in the tamper-evident chain" in text
    assert "Record of the acknowledgement chain head (its position and hash)" in text
    assert "SHA-256 of the input" in text
    assert pack.inputs["chain_head"]["label"].startswith("Record of")


def test_the_page_that_asked_says_nothing_that_goes_stale(client_as, versions,
                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as("hr").post(reverse("auditpacks:index"),
                                        {"subject": f"version:{versions[1].pk}"}, follow=True)
    page = response.content.decode()
    assert Pack.objects.get().status == Pack.Status.READY
    assert "is being built" not in page


def test_the_poll_that_sees_the_pack_ready_replaces_the_message_at_the_top(org, client_as,
                                                                           versions):
    pack = services.pack_request_policy(actor=org.hr, version=versions[1], queue=False)
    client = client_as("hr")
    url = reverse("auditpacks:detail", args=[pack.document_id])
    page = Page(client.get(url).content.decode())
    assert page.by_id("messages") is not None  # the poll's target is on every page
    pack = services.pack_build(pack_id=pack.pk)
    assert pack.status == Pack.Status.READY
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'id="messages"' in fragment and 'hx-swap-oob="true"' in fragment
    assert f"Pack {pack.document_id} is ready to download." in fragment


def test_the_case_pack_page_title_names_the_case(fresh_client_as, case):
    page = fresh_client_as("principal").get(
        reverse("auditpacks:case_pack", args=[case.pk])).content.decode()
    assert f"<title>Case pack: {case.reference}" in page
