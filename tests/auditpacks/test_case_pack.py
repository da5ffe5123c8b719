"""Case packs: the hearing bundle for one breach case, only for the case team."""

import base64
import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from auditpacks import services
from auditpacks.models import Pack
from tests.auditpacks.conftest import pdf_text

# A 1×1 black PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg=="
)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def in_triage(org, case):
    from breaches.services import case_transition

    return case_transition(case=case, target="triage", actor=org.principal,
                           data={"severity": "medium", "safeguarding_confirmed": False})


@pytest.fixture
def case_with_work(org, in_triage):
    from breaches.services import case_evidence_add, case_item_add

    case = in_triage
    evidence = case_evidence_add(case=case, actor=org.principal,
                                 upload=SimpleUploadedFile("screenshot.png", PNG, "image/png"),
                                 description="Screenshot of the post")
    case_item_add(case=case, actor=org.principal, kind="meeting",
                  body="Investigation meeting: the member of staff explained the post.",
                  meeting_at=timezone.now() - datetime.timedelta(hours=2),
                  attendees="Principal North, Staff Colleague")
    return case, evidence


def build_case_pack(actor, case):
    pack = services.pack_request_case(actor=actor, case_pk=case.pk, queue=False)
    return services.pack_build(pack_id=pack.pk)


def test_a_case_pack_holds_the_allegation_cited_clauses_meetings_and_evidence_hashes(
    org, case_with_work
):
    case, evidence = case_with_work
    pack = build_case_pack(org.principal, case)
    text = squash(pdf_text(pack.file_path.read_bytes()))
    assert pack.status == Pack.Status.READY
    assert f"Case pack: {case.reference}" in text
    assert "Zebedee Quartermain named in the caption" in text
    assert "1.2 Staff must never post about pupils or their parents." in text
    assert "Investigation meeting: the member of staff explained the post." in text
    assert "screenshot.png" in text and evidence.sha256 in text.replace(" ", "")
    assert "Report received" in text  # the timeline


def test_an_evidence_image_is_embedded_in_the_case_pack(org, case_with_work):
    from pypdf import PdfReader

    case, _ = case_with_work
    pack = build_case_pack(org.principal, case)
    reader = PdfReader(str(pack.file_path))
    assert any(page.images for page in reader.pages)


@pytest.mark.parametrize("role", ["staff", "colleague", "manager", "other_principal",
                                  "outsider", "board", "admin"])
def test_a_case_pack_cannot_be_generated_by_someone_who_may_not_see_the_case(
    org, client_as, case, role
):
    from django.http import Http404

    response = client_as(role).post(reverse("auditpacks:case_pack", args=[case.pk]))
    assert response.status_code == 404
    with pytest.raises(Http404):
        services.pack_request_case(actor=getattr(org, role), case_pk=case.pk, queue=False)
    assert not Pack.objects.exists()


def test_generating_a_case_pack_is_recorded_in_the_audit_trail_and_the_case_history(
    org, fresh_client_as, case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = fresh_client_as("hr").post(reverse("auditpacks:case_pack", args=[case.pk]))
    pack = Pack.objects.get()
    assert response["Location"] == reverse("auditpacks:detail", args=[pack.document_id])
    on_case = AuditEvent.objects.for_object(case).filter(action__startswith="auditpacks.")
    assert {e.action for e in on_case} == {"auditpacks.case_pack_requested",
                                           "auditpacks.case_pack_generated"}
    assert all(e.actor == org.hr for e in on_case)


def test_a_case_pack_cannot_be_opened_or_downloaded_by_someone_off_the_case(
    org, client_as, fresh_client_as, case
):
    pack = build_case_pack(org.principal, case)
    for role in ("staff", "colleague", "other_principal", "board"):
        client = client_as(role)
        assert client.get(reverse("auditpacks:detail",
                                  args=[pack.document_id])).status_code == 404
        assert client.get(reverse("auditpacks:download",
                                  args=[pack.document_id])).status_code == 404
    response = fresh_client_as("ceo").get(reverse("auditpacks:download",
                                                  args=[pack.document_id]))
    assert response.status_code == 200
    assert AuditEvent.objects.for_object(case).filter(
        action="auditpacks.case_pack_downloaded", actor=org.ceo).exists()


def test_a_case_pack_can_be_verified_and_fails_once_the_case_changes(org, in_triage):
    case = in_triage
    from breaches.services import case_item_add

    pack = build_case_pack(org.principal, case)
    data = pack.file_path.read_bytes()
    assert services.pack_verify(data=data).ok
    case_item_add(case=case, actor=org.principal, kind="note", body="New finding.")
    result = services.pack_verify(data=data)
    assert not result.ok
    assert "Case record has changed since the pack was built." in result.problems


def test_a_reporter_who_asked_to_stay_anonymous_is_not_named_anywhere_in_the_case_pack(
    org, versions
):
    from breaches.services import report_submit

    case = report_submit(reporter=org.staff, data={
        "concerned": org.colleague, "platform": "instagram", "withhold_identity": True,
        "seen_at": timezone.now() - datetime.timedelta(days=1),
        "description": "A story mocking a pupil.",
        "clauses": [versions[1].clauses.get(number="1.2")],
    })
    pack = build_case_pack(org.hr, case)
    text = squash(pdf_text(pack.file_path.read_bytes()))
    assert "Identity withheld at the reporter's request" in text
    assert "The reporter (identity withheld) Report received" in text
    assert org.staff.full_name not in text and org.staff.email not in text


def test_the_case_pack_list_shows_only_the_cases_a_person_may_see(client_as, case):
    url = reverse("auditpacks:case_list")
    assert case.reference in client_as("principal").get(url).content.decode()
    assert case.reference not in client_as("other_principal").get(url).content.decode()
    assert client_as("staff").get(url).status_code == 403
