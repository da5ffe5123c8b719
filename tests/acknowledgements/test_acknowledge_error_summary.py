"""The acknowledge form's error summary links to each field at fault and says what is wrong:
"Answer question 1" when nothing was chosen, not "Some answers are not right yet"."""

from django.urls import reverse

from acknowledgements.models import Assignment, Question
from policies.models import Clause
from tests.acknowledgements.conftest import read_everything
from tests.htmlcheck import Page


def _question(version) -> Question:
    return Question.objects.create(
        version=version, order=1, text="Who does the policy cover?",
        choices=["Only teachers", "Everyone who works for us"], correct_choice=1,
        clause=Clause.objects.filter(version=version).order_by("order").first())


def _summary_links(html: str) -> dict[str, str]:
    page = Page(html)
    summary = next(e for e in page.elements if "data-error-summary" in e.attrs)
    return {a.attrs["href"]: a.text() for a in summary.iter() if a.tag == "a"}


def test_nothing_answered_says_answer_the_question_and_links_to_it(client_as, org,
                                                                  short_published):
    question = _question(short_published)
    assignment = Assignment.objects.get(person=org.staff, version=short_published)
    client = client_as("staff")
    read_everything(client, assignment)
    response = client.post(reverse("acknowledgements:acknowledge", args=[assignment.pk]), {})
    html = response.content.decode()
    links = _summary_links(html)
    assert links[f"#q{question.pk}-0"] == "Answer question 1"
    assert links["#agree"] == "Tick the box to confirm the statement."
    assert "Some answers are not right yet" not in html
    assert Page(html).by_id(f"q{question.pk}-0") is not None


def test_a_wrong_answer_links_to_the_question_and_names_the_clause(client_as, org,
                                                                   short_published):
    question = _question(short_published)
    assignment = Assignment.objects.get(person=org.staff, version=short_published)
    client = client_as("staff")
    read_everything(client, assignment)
    response = client.post(reverse("acknowledgements:acknowledge", args=[assignment.pk]),
                           {f"q{question.pk}": "0", "agree": "yes"})
    links = _summary_links(response.content.decode())
    assert links[f"#q{question.pk}-0"] == (
        f"Question 1 is not right yet: re-read clause {question.clause.number}")
