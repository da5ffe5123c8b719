"""The reading pages' and acknowledge POST's one query for the person's own assignment gives
what the ORM would: the same field values (dates, JSON and all), the same deferred fields."""

from acknowledgements.models import Assignment, SectionView
from acknowledgements.selectors import own_assignment_with_served
from acknowledgements.views import ACKNOWLEDGE_COLUMNS, VERSION_UNUSED
from core.sql import split_joined


def _values(instance) -> dict:
    deferred = instance.get_deferred_fields()
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields
            if f.attname not in deferred}


def _orm(pk, **narrowing):
    assignments = Assignment.objects.select_related("version", "version__policy")
    if "only" in narrowing:
        assignments = assignments.only(*narrowing["only"])
    else:
        assignments = assignments.defer(*narrowing["unused"])
    return assignments.get(pk=pk)


def test_every_column_but_the_long_texts_matches_the_orm(org, published):
    assignment = Assignment.objects.get(person=org.staff, version=published)

    mine = own_assignment_with_served(assignment.pk, org.staff.pk, unused=VERSION_UNUSED)

    expected = _orm(assignment.pk, unused=VERSION_UNUSED)
    for ours, theirs in ((mine, expected), (mine.version, expected.version),
                         (mine.version.policy, expected.version.policy)):
        assert ours.get_deferred_fields() == theirs.get_deferred_fields()
        assert _values(ours) == _values(theirs)
    assert mine.version.published_at is not None and mine.due_on == expected.due_on


def test_only_the_acknowledge_columns_are_read_when_asked(org, published):
    assignment = Assignment.objects.get(person=org.staff, version=published)

    mine = own_assignment_with_served(assignment.pk, org.staff.pk, only=ACKNOWLEDGE_COLUMNS)

    expected = _orm(assignment.pk, only=ACKNOWLEDGE_COLUMNS)
    assert mine.get_deferred_fields() == expected.get_deferred_fields()
    assert _values(mine.version) == _values(expected.version)
    assert mine.version.policy.title == expected.version.policy.title


def test_it_brings_the_sections_already_served_to_the_person(org, published):
    assignment = Assignment.objects.get(person=org.staff, version=published)
    assert own_assignment_with_served(assignment.pk, org.staff.pk).served_keys is None
    for key in ("1", "3"):
        SectionView.objects.create(person=org.staff, version=published, section=key)
    SectionView.objects.create(person=org.colleague, version=published, section="2")

    mine = own_assignment_with_served(assignment.pk, org.staff.pk)

    assert sorted(split_joined(mine.served_keys)) == ["1", "3"]


def test_someone_elses_assignment_is_not_found(org, published):
    assignment = Assignment.objects.get(person=org.staff, version=published)

    assert own_assignment_with_served(assignment.pk, org.colleague.pk) is None
