"""PUBLIC_POLICIES=1: published versions have a page and a PDF anyone can open; nothing else."""

import pytest
from django.urls import reverse

from policies import services
from policies.models import PolicyVersion
from tests.policies.conftest import walk

S = PolicyVersion.Status


def _page(version) -> str:
    return reverse("public:version_read", args=[version.policy.slug, version.label])


def _pdf(version) -> str:
    return reverse("public:version_pdf", args=[version.policy.slug, version.label])


@pytest.fixture
def public(settings):
    settings.PUBLIC_POLICIES = True


def test_public_pages_are_off_by_default(client, published):
    assert client.get(_page(published)).status_code == 404
    assert client.get(_pdf(published)).status_code == 404
    assert client.get(reverse("public:policy_list")).status_code == 404


def test_a_published_version_has_a_page_without_sign_in(client, public, published):
    response = client.get(_page(published))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Protecting our business reputation:" in html
    assert "Keeping safe on-line" in html


def test_a_published_version_has_a_pdf_without_sign_in(client, public, published):
    response = client.get(_pdf(published))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_the_public_list_links_to_the_current_version(client, public, published):
    html = client.get(reverse("public:policy_list")).content.decode()
    assert reverse("public:policy_current", args=[published.policy.slug]) in html
    response = client.get(reverse("public:policy_current", args=[published.policy.slug]))
    assert response.status_code == 302 and response["Location"] == _page(published)


def test_the_public_page_shows_no_acknowledgement_data(client, public, org, published):
    # Publishing assigned the policy to every member of staff: none of that may show.
    assert published.policy.requires_acknowledgement
    html = client.get(_page(published)).content.decode()
    private_words = (org.staff.full_name, org.colleague.full_name, "cknowledg", "Sign out")
    for private in private_words:
        assert private not in html


@pytest.mark.parametrize("status", [S.DRAFT, S.RATIFIED])
def test_a_version_in_progress_is_never_public(client, public, org, imported, status):
    version = imported.version
    if status != S.DRAFT:
        version = walk(version, org, status)
    assert client.get(_page(version)).status_code == 404
    assert client.get(_pdf(version)).status_code == 404


def test_a_withdrawn_version_is_never_public(client, public, org, published):
    services.version_transition(version=published, to_status=S.WITHDRAWN, actor=org.ceo,
                                reason="Replaced by the trust's new ICT policy")
    assert client.get(_page(published)).status_code == 404
    assert client.get(_pdf(published)).status_code == 404
    assert client.get(reverse("public:policy_current",
                              args=[published.policy.slug])).status_code == 404


def test_a_superseded_version_is_no_longer_public(client, public, org, published):
    draft = services.version_new_draft(policy=published.policy, actor=org.hr)
    services.clause_update(clause=draft.clauses.order_by("order")[1], number="1.1",
                           text="We recognise that social media changes quickly.", actor=org.hr)
    walk(draft, org, S.PUBLISHED)
    assert client.get(_page(published)).status_code == 404
