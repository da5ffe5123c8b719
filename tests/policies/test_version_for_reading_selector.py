"""The policy page's one query gives what the ORM would: the version (less its source text)
and its policy with the same values, and who approved it; the reader's academy's addendum and
who approved it are looked up beside it."""

from policies import services
from policies.models import AcademyAddendum, PolicyVersion
from policies.selectors import addendum_approver_name, approved_addendum, get_version_for_reading
from tests.policies.conftest import walk

S = PolicyVersion.Status
A = AcademyAddendum.Status


def _values(instance) -> dict:
    deferred = instance.get_deferred_fields()
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields
            if f.attname not in deferred}


def test_the_version_and_its_policy_match_the_orm_without_the_source_text(org, published):
    version = get_version_for_reading(org.staff, published.policy.slug, published.label)

    expected = (PolicyVersion.objects.select_related("policy").defer("source_text")
                .get(pk=published.pk))
    assert version.get_deferred_fields() == {"source_text"}
    assert _values(version) == _values(expected)
    assert _values(version.policy) == _values(expected.policy)
    assert version.approved_by_name == (expected.approved_by.full_name
                                        if expected.approved_by_id else None)


def test_the_addendum_shown_is_the_readers_academys_and_its_approver_is_named(org, imported):
    ratified = walk(imported.version, org, S.RATIFIED)
    addendum = services.addendum_save(version=ratified, academy=org.academy,
                                      text="Local contact: the DSL.", actor=org.principal)
    services.addendum_transition(addendum=addendum, to_status=A.SUBMITTED, actor=org.principal)
    services.addendum_transition(addendum=addendum, to_status=A.APPROVED, actor=org.ceo)
    version = services.version_publish(version=ratified, actor=org.hr, change_kind="material",
                                       change_summary="First.")

    mine = approved_addendum(version, org.staff.academy_id)
    theirs = approved_addendum(version, org.outsider.academy_id)

    assert mine.pk == addendum.pk and addendum_approver_name(mine) == org.ceo.full_name
    assert theirs is None
