"""What a person is recorded as having answered comes from the database at the moment they
acknowledge, never from a cache (issue 18: evidence inputs from the database)."""

from django.urls import reverse

from acknowledgements.models import Acknowledgement, Assignment, Question
from policies.models import Clause
from tests.acknowledgements.conftest import read_everything


def _question(version) -> Question:
    clause = Clause.objects.filter(version=version, level=1).order_by("order").first()
    return Question.objects.create(version=version, order=1, text="Who do you tell?",
                                   choices=["Nobody", "The Principal"], correct_choice=1,
                                   clause=clause)


def _ready(client_as, org, published):
    question = _question(published)
    assignment = Assignment.objects.get(person=org.staff, version=published)
    client = client_as("staff")
    read_everything(client, assignment)
    # The acknowledge page is shown (anything it could cache is cached now).
    assert client.get(reverse("acknowledgements:acknowledge",
                              args=[assignment.pk])).status_code == 200
    return client, assignment, question


def test_the_record_holds_the_question_text_the_database_holds_when_the_person_acknowledges(
        client_as, org, published):
    client, assignment, question = _ready(client_as, org, published)
    # Changed without a save signal, so no cache is told.
    Question.objects.filter(pk=question.pk).update(text="Whom do you tell first?",
                                                   choices=["Nobody", "The Principal or CEO"])

    response = client.post(reverse("acknowledgements:acknowledge", args=[assignment.pk]),
                           {"agree": "yes", f"q{question.pk}": "1"})

    assert response.status_code == 302
    record = Acknowledgement.objects.get(person=org.staff, version=published)
    assert record.answers == [{"question": "Whom do you tell first?",
                               "answer": "The Principal or CEO"}]


def test_an_answer_the_database_no_longer_counts_as_right_is_refused(client_as, org, published):
    client, assignment, question = _ready(client_as, org, published)
    Question.objects.filter(pk=question.pk).update(correct_choice=0)

    response = client.post(reverse("acknowledgements:acknowledge", args=[assignment.pk]),
                           {"agree": "yes", f"q{question.pk}": "1"})

    assert response.status_code == 400
    assert not Acknowledgement.objects.filter(person=org.staff).exists()
