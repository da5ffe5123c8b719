"""The reading pages of a published version come from the cache, and what they show stays right.

The pages (by content hash) and the academy's addendum (the "text" namespace) are cached; the
questions are read from the database; an addendum approved, a question edited or an academy
renamed shows on the next page,
and a cache that cannot be reached only makes the pages read the database.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from acknowledgements import services
from acknowledgements.models import Acknowledgement, Assignment, Question, SectionView
from acknowledgements.sections import sections_of
from policies.models import AcademyAddendum, Clause
from tests.acknowledgements.conftest import policy_make, publish, version_make
from tests.pages import cache_reads

LOCAL = "Phones stay in the staff room during lessons."


@pytest.fixture
def version(org):
    version = publish(version_make(policy_make(), only_sections=3))
    clause = Clause.objects.filter(version=version, level=1).order_by("order").first()
    Question.objects.create(version=version, order=1, text="Where do phones stay?",
                            choices=["In the classroom", "In the staff room"],
                            correct_choice=1, clause=clause)
    return version


def _read(client, assignment, index):
    response = client.get(reverse("acknowledgements:read", args=[assignment.pk, index]))
    assert response.status_code == 200
    return response.content.decode()


def _read_all(client, assignment):
    for section in sections_of(assignment.version, assignment.person.academy):
        _read(client, assignment, section.index)


def test_an_addendum_approved_after_the_pages_were_cached_is_a_page_at_once(client_as, org,
                                                                            version):
    assignment = Assignment.objects.get(person=org.staff, version=version)
    client = client_as("staff")
    assert "1 of 3 sections opened." in _read(client, assignment, 1)
    AcademyAddendum.objects.create(
        version=version, academy=org.academy, text=LOCAL, status=AcademyAddendum.Status.APPROVED,
        content_hash=AcademyAddendum.hash_text(LOCAL), approved_at=timezone.now())
    page = _read(client, assignment, 1)
    assert "1 of 4 sections opened." in page
    assert "Northfield Primary Academy: local arrangements" in page
    assert LOCAL in _read(client, assignment, 4)
    # ... and it is part of what they must have read and of the fingerprint they acknowledge.
    _read_all(client, assignment)
    acknowledge = client.get(reverse("acknowledgements:acknowledge", args=[assignment.pk]))
    reading = services.reading_for(version, org.staff)
    assert reading.content_hash != version.content_hash
    assert f"text fingerprint {reading.content_hash[:12]}" in acknowledge.content.decode()


def test_an_edited_question_shows_at_once(client_as, org, version):
    assignment = Assignment.objects.get(person=org.staff, version=version)
    client = client_as("staff")
    _read_all(client, assignment)
    url = reverse("acknowledgements:acknowledge", args=[assignment.pk])
    assert "Where do phones stay?" in client.get(url).content.decode()
    question = version.ack_questions.get()
    services.question_save(version=version, actor=org.hr, text="Where are phones kept?",
                           choices=["In the staff room", "In the classroom"], correct_choice=0,
                           clause=question.clause, question=question)
    page = client.get(url).content.decode()
    assert "Where are phones kept?" in page and "Where do phones stay?" not in page
    # The answer that is right now is the one checked.
    response = client.post(url, {"agree": "yes", f"q{question.pk}": "1"})
    assert response.status_code == 400
    response = client.post(url, {"agree": "yes", f"q{question.pk}": "0"})
    assert response.status_code == 302
    assert Acknowledgement.objects.get(person=org.staff).answers == [
        {"question": "Where are phones kept?", "answer": "In the staff room"}]


def test_a_renamed_academy_shows_on_the_addendum_page_at_once(client_as, org, version):
    AcademyAddendum.objects.create(
        version=version, academy=org.academy, text=LOCAL, status=AcademyAddendum.Status.APPROVED,
        content_hash=AcademyAddendum.hash_text(LOCAL), approved_at=timezone.now())
    assignment = Assignment.objects.get(person=org.staff, version=version)
    client = client_as("staff")
    assert "Northfield Primary Academy: local arrangements" in _read(client, assignment, 4)
    org.academy.name = "Northfield Academy"
    org.academy.save()
    reading = services.reading_for(version, Assignment.objects.get(pk=assignment.pk).person)
    assert reading.sections[-1].label == "Northfield Academy: local arrangements"


def test_the_pages_and_acknowledging_work_with_the_cache_down(client_as, org, version,
                                                              cache_down):
    AcademyAddendum.objects.create(
        version=version, academy=org.academy, text=LOCAL, status=AcademyAddendum.Status.APPROVED,
        content_hash=AcademyAddendum.hash_text(LOCAL), approved_at=timezone.now())
    assignment = Assignment.objects.get(person=org.staff, version=version)
    client = client_as("staff")
    _read(client, assignment, 1)  # cached while the cache worked

    cache_down()
    assert LOCAL in _read(client, assignment, 4)
    _read_all(client, assignment)
    assert SectionView.objects.filter(person=org.staff, version=version).count() == 4
    url = reverse("acknowledgements:acknowledge", args=[assignment.pk])
    question = version.ack_questions.get()
    response = client.post(url, {"agree": "yes", f"q{question.pk}": "1"})
    assert response.status_code == 302, response.content.decode()[:300]
    record = Acknowledgement.objects.get(person=org.staff, version=version)
    assert record.content_hash == services.content_hash_for(
        version, org.academy, AcademyAddendum.objects.get(version=version))


def test_a_draft_is_read_from_the_database_each_time(org):
    draft = version_make(policy_make(), only_sections=2)
    assert [s.key for s in sections_of(draft)] == ["1", "2"]
    first = Clause.objects.filter(version=draft, level=1).order_by("order").first()
    Clause.objects.filter(pk=first.pk).update(text="Changed while still a draft.")
    assert "Changed while still a draft." in str(sections_of(draft)[0].html)


def test_a_repeat_reading_page_reads_the_cache_once_for_text_and_addendum_and_once_for_navigation(
        client_as, org, version, monkeypatch):
    assignment = Assignment.objects.get(person=org.staff, version=version)
    client = client_as("staff")
    _read(client, assignment, 1)
    reads = cache_reads(monkeypatch)

    page = _read(client, assignment, 2)

    assert 'aria-label="Main"' in page and "2 of 3 sections opened." in page
    assert [name for name, _ in reads] == ["get_many", "get_many"], reads
