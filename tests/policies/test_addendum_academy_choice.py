"""Which academies a version's record page offers for a new addendum: the rule is
accounts.permissions.addendum_academy_scope (a Principal only their own academy)."""

import re

import pytest
from django.urls import reverse

from policies.models import PolicyVersion
from tests.policies.conftest import walk


@pytest.fixture
def ratified(org, imported):
    return walk(imported.version, org, PolicyVersion.Status.RATIFIED)


def offered(client, version) -> set[str] | None:
    """The academies in the "Draft an addendum" choice, or None when there is no such form."""
    url = reverse("policies:version_record", args=[version.policy.slug, version.label])
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    if "Draft an addendum" not in page:
        return None
    select = page[page.index('name="academy"'):]
    select = select[:select.index("</select>")]
    return set(re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", select))


def test_a_principal_is_offered_only_their_own_academy(client_as, org, ratified):
    assert offered(client_as("principal"), ratified) == {org.academy.name}


def test_hr_is_offered_every_academy_that_is_not_the_central_team(client_as, org, ratified):
    assert offered(client_as("hr"), ratified) == {org.academy.name, org.other.name}


@pytest.mark.parametrize("role", ["board", "admin"])
def test_those_who_may_not_draft_an_addendum_are_offered_no_academy(client_as, ratified, role):
    assert offered(client_as(role), ratified) is None
