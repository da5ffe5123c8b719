"""A version's PDF is laid out once while its text cannot change, through the one cache concept
(so it is still made when the cache is down)."""

from unittest import mock

import pytest

from documents import pdf


@pytest.fixture
def layouts(monkeypatch):
    made = []

    def layout(version, clauses, addendum):
        made.append(version.pk)
        return b"%PDF-1.7 " + str(len(made)).encode()

    monkeypatch.setattr(pdf, "_layout", layout)
    return made


def test_a_published_versions_pdf_is_laid_out_once(published, layouts):
    first = pdf.version_pdf(published, [])
    assert pdf.version_pdf(published, []) == first
    assert layouts == [published.pk]


def test_a_drafts_pdf_is_laid_out_every_time(imported, layouts):
    draft = imported.version
    pdf.version_pdf(draft, [])
    pdf.version_pdf(draft, [])
    assert layouts == [draft.pk, draft.pk]


def test_the_pdf_is_made_when_the_cache_is_down(published, layouts):
    with mock.patch("core.caching.cache.get_many", side_effect=ConnectionError("down")):
        assert pdf.version_pdf(published, []).startswith(b"%PDF")
