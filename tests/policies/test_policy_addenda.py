import pytest
from django.urls import reverse

from notifications.models import Notification
from policies import selectors, services
from policies.models import AcademyAddendum, PolicyImmutable, PolicyVersion
from tests.policies.conftest import walk

A = AcademyAddendum.Status
S = PolicyVersion.Status
TEXT = "Designated Safeguarding Lead: Helen Carter. Report concerns via CPOMS."


@pytest.fixture
def ratified(org, imported):
    return walk(imported.version, org, S.RATIFIED)


def _approved(org, version):
    addendum = services.addendum_save(version=version, academy=org.academy, text=TEXT,
                                      actor=org.principal)
    services.addendum_transition(addendum=addendum, to_status=A.SUBMITTED, actor=org.principal)
    return services.addendum_transition(addendum=addendum, to_status=A.APPROVED, actor=org.ceo)


def test_a_principal_drafts_the_addendum_for_their_own_academy(org, ratified):
    addendum = services.addendum_save(version=ratified, academy=org.academy, text=TEXT,
                                      actor=org.principal)
    assert addendum.status == A.DRAFT and addendum.drafted_by == org.principal


def test_a_principal_cannot_draft_for_another_academy(org, ratified):
    with pytest.raises(services.TransitionNotAllowed):
        services.addendum_save(version=ratified, academy=org.other, text=TEXT,
                               actor=org.principal)


@pytest.mark.parametrize("role", ["staff", "manager", "principal", "hr", "board", "admin"])
def test_only_the_ceo_approves_an_addendum(org, ratified, role):
    addendum = services.addendum_save(version=ratified, academy=org.academy, text=TEXT,
                                      actor=org.principal)
    services.addendum_transition(addendum=addendum, to_status=A.SUBMITTED, actor=org.principal)
    with pytest.raises(services.TransitionNotAllowed):
        services.addendum_transition(addendum=addendum, to_status=A.APPROVED,
                                     actor=getattr(org, role))


def test_the_academys_staff_read_the_approved_addendum_and_others_do_not(client_as, org,
                                                                         ratified):
    _approved(org, ratified)
    version = services.version_publish(version=ratified, actor=org.hr, change_kind="material",
                                       change_summary="First.")
    url = reverse("policies:version_read", args=[version.policy.slug, version.label])
    assert "Helen Carter" in client_as("staff").get(url).content.decode()
    assert "Helen Carter" not in client_as("outsider").get(url).content.decode()


def test_the_academy_hash_covers_the_addendum(org, ratified):
    plain = selectors.version_content_hash_for(ratified, org.academy)
    assert plain == ratified.content_hash
    _approved(org, ratified)
    with_addendum = selectors.version_content_hash_for(ratified, org.academy)
    assert with_addendum != ratified.content_hash
    assert selectors.version_content_hash_for(ratified, org.other) == ratified.content_hash
    text = selectors.version_text_for(ratified, org.academy)
    assert text.addendum.text == TEXT and len(text.clauses) == 93


def test_an_unapproved_addendum_is_not_part_of_what_staff_read(org, ratified):
    services.addendum_save(version=ratified, academy=org.academy, text=TEXT, actor=org.principal)
    assert selectors.version_text_for(ratified, org.academy).addendum is None


def test_an_approved_addendum_of_a_published_version_cannot_change(org, ratified):
    addendum = _approved(org, ratified)
    services.version_publish(version=ratified, actor=org.hr, change_kind="minor",
                             change_summary="x")
    with pytest.raises(PolicyImmutable):
        services.addendum_save(version=ratified, academy=org.academy, text="New text",
                               actor=org.principal)
    addendum.text = "Sneaky"
    with pytest.raises(PolicyImmutable):
        addendum.save()


def test_a_new_draft_carries_the_approved_addendum_as_a_draft_for_the_principal(org, ratified):
    _approved(org, ratified)
    version = services.version_publish(version=ratified, actor=org.hr, change_kind="minor",
                                       change_summary="x")
    draft = services.version_new_draft(policy=version.policy, actor=org.hr)
    copy = draft.addenda.get()
    assert copy.status == A.DRAFT and copy.text == TEXT and copy.approved_by is None
    assert Notification.objects.filter(recipient=org.principal,
                                       kind="policies.addendum_carried").exists()


def test_an_imported_next_version_carries_the_addendum_and_the_principal_confirms_it(
        org, ratified, seed_text):
    _approved(org, ratified)
    services.version_publish(version=ratified, actor=org.hr, change_kind="material",
                             change_summary="x")
    revised = seed_text.replace("blogs and wikis.", "blogs, wikis and messaging apps.")
    draft = services.policy_import(text=revised, title="Social Media Policy",
                                   actor=org.hr).version
    copy = draft.addenda.get()
    assert (copy.status, copy.text, copy.academy) == (A.DRAFT, TEXT, org.academy)
    services.addendum_transition(addendum=copy, to_status=A.SUBMITTED, actor=org.principal)
    services.addendum_transition(addendum=copy, to_status=A.APPROVED, actor=org.ceo)
    assert selectors.version_text_for(draft, org.academy).addendum.text == TEXT


def test_publication_says_which_academies_have_no_approved_addendum(client_as, org, ratified):
    _approved(org, ratified)
    version = services.version_publish(version=ratified, actor=org.hr, change_kind="minor",
                                       change_summary="x")
    draft = walk(services.version_new_draft(policy=version.policy, actor=org.hr), org,
                 S.RATIFIED)
    url = reverse("policies:version_transition", args=[draft.policy.slug, draft.label,
                                                       S.PUBLISHED])
    page = client_as("hr").get(url).content.decode()
    assert "No approved addendum" in page
    assert org.academy.name in page and org.other.name in page
    response = client_as("hr").post(url, {"reason": "Go", "change_kind": "minor",
                                          "change_summary": "Typo"}, follow=True)
    assert org.academy.name in response.content.decode()
    event = draft.events.get(to_status=S.PUBLISHED)
    assert org.academy.name in event.details["academies_without_addendum"]


def test_the_principal_drafts_and_submits_from_the_pages(client_as, org, ratified):
    url = reverse("policies:addendum_edit", args=[ratified.policy.slug, ratified.label,
                                                  org.academy.code])
    assert client_as("principal").post(url, {"text": TEXT}).status_code == 302
    assert client_as("other_principal").get(url).status_code == 404
    move = reverse("policies:addendum_move", args=[ratified.policy.slug, ratified.label,
                                                   org.academy.code, A.SUBMITTED])
    client_as("principal").post(move)
    assert ratified.addenda.get().status == A.SUBMITTED


def test_the_addendum_carried_into_a_new_draft_can_be_revised(org, ratified):
    _approved(org, ratified)
    version = services.version_publish(version=ratified, actor=org.hr, change_kind="minor",
                                       change_summary="x")
    draft = services.version_new_draft(policy=version.policy, actor=org.hr)
    revised = services.addendum_save(version=draft, academy=org.academy, text="New contacts.",
                                     actor=org.principal)
    assert revised.status == A.DRAFT and revised.text == "New contacts."
    assert version.addenda.get().text == TEXT


def test_no_addendum_can_be_added_to_a_published_version(org, ratified):
    version = services.version_publish(version=ratified, actor=org.hr, change_kind="minor",
                                       change_summary="x")
    with pytest.raises(PolicyImmutable):
        services.addendum_save(version=version, academy=org.other, text=TEXT, actor=org.ceo)


def test_the_database_refuses_to_change_an_addendum_of_a_published_version(postgres_only, org,
                                                                          ratified):
    from django.db import DatabaseError, connection, transaction

    addendum = _approved(org, ratified)
    services.version_publish(version=ratified, actor=org.hr, change_kind="minor",
                             change_summary="x")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE policies_academyaddendum SET text = 'x' WHERE id = %s",
                       [addendum.pk])
