"""Downloading a version as Word and PDF: who may, and what the files hold."""

import io

import pytest
from django.urls import reverse
from docx.oxml.ns import qn
from pypdf import PdfReader

from documents.wordlists import Numbering
from policies.models import PolicyVersion
from tests.documents.wordfiles import open_docx


def _url(kind: str, version) -> str:
    return reverse(f"documents:version_{kind}", args=[version.policy.slug, version.label])


def _pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(
        io.BytesIO(content)).pages)


def test_the_version_page_offers_word_and_pdf_downloads(client_as, published):
    html = client_as("staff").get(
        reverse("policies:version_read", args=[published.policy.slug, published.label])
    ).content.decode()
    assert _url("word", published) in html and _url("pdf", published) in html


def test_staff_download_the_published_version_as_word(client_as, published):
    response = client_as("staff").get(_url("word", published))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert 'filename="social-media-policy-2023-09.docx"' in response["Content-Disposition"]


def test_hr_downloads_a_draft_and_staff_may_not(client_as, imported):
    draft = imported.version
    assert client_as("hr").get(_url("word", draft)).status_code == 200
    assert client_as("staff").get(_url("word", draft)).status_code == 404
    assert client_as("staff").get(_url("pdf", draft)).status_code == 404


@pytest.mark.parametrize("kind", ["word", "pdf"])
def test_anonymous_visitors_are_sent_to_sign_in(client, published, kind):
    response = client.get(_url(kind, published))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_staff_outside_the_policys_audience_get_404(client_as, org, published):
    published.policy.audience_academies.set([org.academy])
    assert client_as("outsider").get(_url("word", published)).status_code == 404


def test_the_clauses_are_real_word_list_paragraphs_with_multilevel_numbering(
        client_as, published):
    document = open_docx(client_as("staff").get(_url("word", published)).content)
    numbering = document.part.numbering_part.element
    formats = {lvl.find(qn("w:numFmt")).get(qn("w:val"))
               for abstract in numbering.findall(qn("w:abstractNum"))
               if abstract.find(qn("w:multiLevelType")).get(qn("w:val")) == "multilevel"
               for lvl in abstract.findall(qn("w:lvl"))}
    assert {"decimal", "lowerLetter", "lowerRoman"} <= formats
    numbered = Numbering(document)
    items = [numbered.item(p._p) for p in document.paragraphs]
    shown = [(item.rendered(), p.text) for item, p in zip(items, document.paragraphs,
                                                           strict=True) if item]
    assert ("10.4", "Protecting our business reputation:") in shown
    assert ("iii.", "our trustees / members or staff;") in shown
    # The appendix restarts the list: its first section is 1 again.
    assert ("1.", "Keeping safe on-line") in shown
    assert shown.index(("1.", "Keeping safe on-line")) > shown.index(("11.", "Review of policy"))


def test_the_cover_sheet_is_a_table(client_as, published):
    document = open_docx(client_as("staff").get(_url("word", published)).content)
    rows = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert rows[0] == ["CEO approval:", "Sean Kelly", "September 2023"]
    assert ["Next review due by:", "September 2025", ""] in rows


def test_staff_add_their_academys_addendum_as_an_appendix(client_as, org, approved_addendum):
    version = approved_addendum.version
    response = client_as("staff").get(_url("word", version), {"academy": org.academy.code})
    text = "\n".join(p.text for p in open_docx(response.content).paragraphs)
    assert f"Academy addendum: {org.academy.name}" in text
    assert "Designated Safeguarding Lead: Helen Carter." in text
    assert org.academy.code in response["Content-Disposition"]


def test_staff_of_another_academy_cannot_download_its_addendum(client_as, org,
                                                              approved_addendum):
    version = approved_addendum.version
    response = client_as("outsider").get(_url("word", version), {"academy": org.academy.code})
    assert response.status_code == 404


def test_the_pdf_has_the_cover_sheet_and_the_numbered_clauses(client_as, published):
    response = client_as("staff").get(_url("pdf", published))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = _pdf_text(response.content)
    assert "Social Media Policy" in text and "Sean Kelly" in text
    assert "10.4 Protecting our business reputation:" in text
    assert "Appendix A – Guidance - Using Social Media" in text


def test_the_pdf_with_the_addendum_carries_it_at_the_end(client_as, org, approved_addendum):
    version = approved_addendum.version
    content = client_as("hr").get(_url("pdf", version), {"academy": org.academy.code}).content
    text = _pdf_text(content)
    assert text.index("Helen Carter") > text.index("Cyber-bullying")


def test_a_draft_pdf_says_it_is_not_the_published_policy(client_as, imported):
    text = _pdf_text(client_as("hr").get(_url("pdf", imported.version)).content)
    assert "is not the trust's current published policy" in text
    assert PolicyVersion.objects.get().status == "draft"


def test_a_principal_may_not_download_another_academys_unapproved_addendum(client_as, org,
                                                                          imported):
    from policies import services

    version = imported.version
    services.addendum_save(version=version, academy=org.other, text="Riverside contacts.",
                           actor=org.other_principal)
    own = client_as("other_principal").get(_url("word", version), {"academy": org.other.code})
    assert own.status_code == 200
    other = client_as("principal").get(_url("word", version), {"academy": org.other.code})
    assert other.status_code == 404
    assert client_as("hr").get(_url("word", version), {"academy": org.other.code}
                               ).status_code == 200
