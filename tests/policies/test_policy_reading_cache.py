"""The whole-text page of a version: cheap per request, and the cached text is never stale."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from policies import services
from policies.models import AcademyAddendum, PolicyVersion
from tests.factories import person_make
from tests.pages import cache_reads
from tests.policies.conftest import walk

A = AcademyAddendum.Status
S = PolicyVersion.Status
ADDENDUM = "Designated Safeguarding Lead: Helen Carter. Report concerns via CPOMS."
#: Queries of the reading page once its text is cached: session, person, the version with its
#: policy, its audience, mention links, and the base template's own (navigation, badges).
READING_BUDGET = 9


def _url(version) -> str:
    return reverse("policies:version_read", args=[version.policy.slug, version.label])


def _page(client, version, **params) -> str:
    response = client.get(_url(version), params)
    assert response.status_code == 200
    html = re.sub(r'"X-CSRFToken": "[^"]+"', "", response.content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def _article(html: str) -> str:
    return html[html.index('<article class="policy-text"'):html.index("</article>")]


def _publish_new_version(org, version, text: str):
    draft = services.version_new_draft(policy=version.policy, actor=org.hr)
    clause = draft.clauses.get(number="5.1 f)")
    services.clause_update(clause=clause, number="5.1 f)", text=text, actor=org.hr)
    return walk(draft, org, S.PUBLISHED)


def _published_with_addendum(org, imported):
    """Published with an approved addendum for ``org.academy`` (staff's, not outsider's)."""
    ratified = walk(imported.version, org, S.RATIFIED)
    addendum = services.addendum_save(version=ratified, academy=org.academy, text=ADDENDUM,
                                      actor=org.principal)
    services.addendum_transition(addendum=addendum, to_status=A.SUBMITTED, actor=org.principal)
    services.addendum_transition(addendum=addendum, to_status=A.APPROVED, actor=org.ceo)
    return services.version_publish(version=ratified, actor=org.hr, change_kind="material",
                                    change_summary="First.")


def test_the_second_reader_gets_the_same_page_without_loading_the_clauses(client_as,
                                                                          published):
    first = _page(client_as("staff"), published)
    with CaptureQueriesContext(connection) as queries:
        second = _page(client_as("colleague"), published)
    assert second.replace("Staff Colleague", "Staff Member") == first
    assert not [q for q in queries if "policies_clause" in q["sql"]]


def test_the_reading_page_stays_within_its_query_budget(client_as, published,
                                                        django_assert_max_num_queries):
    client = client_as("staff")
    _page(client, published)
    with django_assert_max_num_queries(READING_BUDGET):
        _page(client, published)


def test_a_reader_with_an_addendum_pays_only_for_the_addendum_and_its_approver(
        client_as, org, imported, django_assert_max_num_queries):
    version = _published_with_addendum(org, imported)
    client = client_as("staff")
    _page(client, version)
    with django_assert_max_num_queries(READING_BUDGET + 2):
        assert "Helen Carter" in _page(client, version)


def test_a_new_published_version_shows_its_own_text_and_the_old_one_keeps_its_own(
        client_as, org, published):
    client = client_as("hr")
    old_text = _article(_page(client, published))
    assert "Staff must not post photographs of pupils" not in old_text
    newer = _publish_new_version(org, published, "Staff must not post photographs of pupils.")
    assert "Staff must not post photographs of pupils" in _article(_page(client, newer))
    published.refresh_from_db()
    assert published.status == S.SUPERSEDED
    assert _article(_page(client, published)) == old_text


def test_the_addendum_and_fingerprint_differ_per_academy_while_the_text_is_shared(
        client_as, org, imported):
    version = _published_with_addendum(org, imported)
    outsider = _page(client_as("outsider"), version)
    staff = _page(client_as("staff"), version)
    assert "Helen Carter" in staff and "Helen Carter" not in outsider
    assert "Local arrangements: Northfield Primary Academy" in staff
    assert "Academy addendum, approved by Chief Executive on " in staff
    assert "Local arrangements" not in outsider
    fingerprint = re.compile(r"Content fingerprint: <code>(\w+)</code>")
    assert fingerprint.search(outsider)[1] == version.content_hash[:16]
    assert fingerprint.search(staff)[1] != fingerprint.search(outsider)[1]
    clauses = _article(staff)[:_article(staff).index('<section id="addendum"')]
    assert clauses.strip() == _article(outsider).strip()


def test_the_edit_links_of_the_backstage_stay_out_of_the_shared_text(client_as, published):
    nav = 'aria-label="This version"'
    assert nav not in _page(client_as("staff"), published)
    assert nav in _page(client_as("hr"), published)
    assert nav not in _page(client_as("colleague"), published)


def test_a_policy_that_becomes_readable_is_linked_in_text_read_before(client_as, org,
                                                                      published):
    client = client_as("staff")
    assert "policy-mention" not in _page(client, published)
    services.policy_register_document(
        title="ICT User Policy", actor=org.hr,
        document=SimpleUploadedFile("ict.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
    )
    assert ('<a href="/policies/ict-user-policy/" class="policy-mention">ICT User Policy</a>'
            in _page(client, published))


def test_searching_text_read_before_still_marks_the_matching_clauses(client_as, published):
    client = client_as("staff")
    _page(client, published)
    html = _page(client, published, q="CPOMS")
    assert "1 clause mention" in html and "<mark>CPOMS</mark>" in html
    assert "<mark>" not in _page(client, published)


def test_a_draft_shows_each_edit_at_once(client_as, org, imported):
    version = imported.version
    client = client_as("hr")
    assert "Photographs of pupils stay in school" not in _page(client, version)
    clause = version.clauses.get(number="5.1 f)")
    services.clause_update(clause=clause, number="5.1 f)",
                           text="Photographs of pupils stay in school.", actor=org.hr)
    assert "Photographs of pupils stay in school" in _page(client, version)


@pytest.mark.parametrize("role", ["staff", "outsider"])
def test_a_draft_stays_hidden_from_staff_whatever_was_cached(client_as, imported, role):
    assert client_as("hr").get(_url(imported.version)).status_code == 200
    assert client_as(role).get(_url(imported.version)).status_code == 404


def test_staff_outside_the_audience_cannot_read_text_another_reader_cached(client_as, org,
                                                                            published):
    _page(client_as("outsider"), published)
    services.policy_update_settings(policy=published.policy, actor=org.hr,
                                    audience_academies=[org.academy])
    assert client_as("outsider").get(_url(published)).status_code == 404
    assert client_as("staff").get(_url(published)).status_code == 200


def test_someone_without_an_academy_reads_only_policies_for_every_academy(client_as, org,
                                                                          published):
    client = Client()
    client.force_login(person_make(name="No Academy"))
    assert client.get(_url(published)).status_code == 200
    services.policy_update_settings(policy=published.policy, actor=org.hr,
                                    audience_academies=[org.academy])
    assert client.get(_url(published)).status_code == 404


def test_the_policy_text_is_read_from_the_database_when_the_cache_is_down(client_as, published,
                                                                          cache_down):
    expected = _article(_page(client_as("colleague"), published))

    cache_down()
    assert _article(_page(client_as("staff"), published)) == expected


def _session_person_and_version(queries) -> list[str]:
    return [q["sql"][:60] for q in queries]


@pytest.mark.parametrize("with_addendum", [False, True])
def test_once_cached_the_page_costs_four_queries_and_one_more_for_an_addendums_approver(
        client_as, org, imported, with_addendum):
    """Session, person, the version with its policy, the policy's audience; the text and the
    reader's academy's addendum come from the cache, who approved the addendum (by their name
    now) from the database."""
    version = (_published_with_addendum(org, imported) if with_addendum
               else walk(imported.version, org, S.PUBLISHED))
    client = client_as("staff")
    first = _page(client, version)
    with CaptureQueriesContext(connection) as queries:
        again = _page(client, version)
    assert len(queries) == (5 if with_addendum else 4), _session_person_and_version(queries)
    assert again == first
    assert ("Helen Carter" in again) is with_addendum
    if with_addendum:
        assert "Academy addendum, approved by Chief Executive on " in again


def test_the_addendum_and_its_approver_are_read_from_the_database_when_the_cache_is_down(
        client_as, org, imported, cache_down):
    version = _published_with_addendum(org, imported)
    expected = _article(_page(client_as("staff"), version))

    cache_down()
    html = _page(client_as("staff"), version)
    assert _article(html) == expected
    assert "Helen Carter" in html and "approved by Chief Executive" in html


def test_a_renamed_approver_shows_at_once(client_as, org, imported):
    version = _published_with_addendum(org, imported)
    client = client_as("staff")
    assert "approved by Chief Executive on" in _page(client, version)
    org.ceo.full_name = "Dr Ada Chief"
    org.ceo.save(update_fields=["full_name"])
    assert "approved by Dr Ada Chief on" in _page(client, version)


def test_a_renamed_academy_shows_at_once_on_the_addendum(client_as, org, imported):
    version = _published_with_addendum(org, imported)
    client = client_as("staff")
    assert "Local arrangements: Northfield Primary Academy" in _page(client, version)
    org.academy.name = "Northfield Academy"
    org.academy.save()
    assert "Local arrangements: Northfield Academy<" in _page(client, version)


def test_a_repeat_visit_reads_the_cache_once_for_the_text_and_once_for_the_navigation(
        client_as, published, monkeypatch):
    client = client_as("staff")
    _page(client, published)
    reads = cache_reads(monkeypatch)

    page = _page(client, published)

    assert 'aria-label="Main"' in page and 'class="policy-text"' in page
    assert [name for name, _ in reads] == ["get_many", "get_many"], reads


def test_only_readers_in_the_addendums_academy_are_offered_the_download_with_it(
        client_as, org, imported):
    version = _published_with_addendum(org, imported)
    mine = _page(client_as("staff"), version)
    theirs = _page(client_as("outsider"), version)
    assert 'id="download-academy"' in mine and org.academy.name in mine
    assert 'id="download-academy"' not in theirs
