"""The acknowledgement pages run a fixed, small number of queries (load benchmark, issue 9).

Each test has enough data that a query per row (N+1) would break its budget. The budgets
count every query of the request, the navigation and the session included.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Category
from acknowledgements.models import Acknowledgement, Assignment, Question, SectionView
from acknowledgements.sections import sections_of, version_pages
from acknowledgements.services import acknowledgement_record
from policies.models import AcademyAddendum, Clause
from tests.acknowledgements.conftest import policy_make, publish, version_make
from tests.factories import person_make

READING_BUDGET = 10
ACKNOWLEDGE_PAGE_BUDGET = 10
# Session, person, request, sections served, questions (from the database: evidence inputs),
# then one transaction: lock the chain head, the record, the head, the request, the event.
ACKNOWLEDGE_POST_BUDGET = 12
MINE_BUDGET = 7
HOME_BUDGET = 9
ACADEMY_DASHBOARD_BUDGET = 11
TRUST_DASHBOARD_BUDGET = 13


def _shared_answers_cached(client_as) -> None:
    """Someone else opens a page: the small trust-wide answers everyone's navigation shares
    (core.navcache.trust_snapshot) are cached, as they nearly always are."""
    assert client_as("colleague").get(reverse("home")).status_code == 200


def _on(queries, table: str) -> int:
    return sum(f'FROM "{table}"' in q["sql"] for q in queries)


def _addendum(version, academy, text="Report concerns to the office the same day."):
    return AcademyAddendum.objects.create(
        version=version, academy=academy, text=text, status=AcademyAddendum.Status.APPROVED,
        content_hash=AcademyAddendum.hash_text(text), approved_at=timezone.now())


def _questions(version, count=4):
    clauses = list(Clause.objects.filter(version=version, level=1).order_by("order")[:count])
    return [Question.objects.create(version=version, order=n, text=f"Question {n}?",
                                    choices=["Yes", "No", "Maybe"], correct_choice=n % 3,
                                    clause=clause)
            for n, clause in enumerate(clauses, start=1)]


@pytest.fixture
def many_policies(org):
    """Six published policies (one with the academy's addendum and questions) for everyone."""
    versions = []
    for n in range(6):
        policy = policy_make(title=f"Policy number {n}", slug=f"policy-number-{n}")
        versions.append(publish(version_make(policy, only_sections=3 if n else None)))
    _addendum(versions[0], org.academy)
    _questions(versions[0])
    return versions


@pytest.fixture
def busy_academy(org, many_policies):
    """Thirty more people in the academy, managed by the principal; 15 acknowledged one."""
    for n in range(30):
        person_make(academy=org.academy, line_manager=org.principal, name=f"Teacher {n:02}",
                    category=Category.EMPLOYEE if n % 2 else Category.CASUAL)
    from acknowledgements.services import assignments_on_publish

    for version in many_policies:
        assignments_on_publish(version=version, previous=None)
    done = Assignment.objects.filter(version=many_policies[0], person__full_name__startswith="T")
    for assignment in done.select_related("person", "version")[:15]:
        acknowledgement_record(assignment=assignment, method="portal", check_reading=False)
    return many_policies


def test_every_reading_page_stays_within_its_query_budget_and_reads_the_clauses_once(
        client_as, org, many_policies, django_assert_max_num_queries):
    version = many_policies[0]
    assignment = Assignment.objects.get(person=org.staff, version=version)
    _shared_answers_cached(client_as)
    client = client_as("staff")
    count = len(sections_of(version, org.academy))
    assert count == 13  # 12 sections and the academy's addendum
    for index in range(1, count + 1):
        url = reverse("acknowledgements:read", args=[assignment.pk, index])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert len(queries) <= READING_BUDGET, "\n".join(q["sql"][:150] for q in queries)
        assert _on(queries, "policies_clause") <= 1
        assert _on(queries, "policies_academyaddendum") <= 1
        assert _on(queries, "acknowledgements_sectionview") == 1
    text = response.content.decode()
    assert "Report concerns to the office the same day." in text
    assert f"{count} of {count} sections opened." in text
    # Once the clauses and the addendum are cached, a page reads neither.
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("acknowledgements:read", args=[assignment.pk, 2]))
    assert _on(queries, "policies_clause") == 0
    assert _on(queries, "policies_academyaddendum") == 0


def test_a_reading_page_opened_before_costs_four_queries(client_as, org, many_policies):
    """Session, person, the request, and the sections already served."""
    version = many_policies[0]
    assignment = Assignment.objects.get(person=org.staff, version=version)
    client = client_as("staff")
    url = reverse("acknowledgements:read", args=[assignment.pk, 13])
    first = client.get(url).content.decode()
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url).content.decode()
    assert len(queries) == 4, [q["sql"][:120] for q in queries]
    def main(html):
        return html[html.index('<main'):html.index('</main>')]

    assert main(again) == main(first)
    assert "Report concerns to the office the same day." in again
    assert "1 of 13 sections opened." in again


def test_the_acknowledge_page_and_post_stay_within_their_query_budgets(
        client_as, org, many_policies, django_assert_max_num_queries):
    version = many_policies[0]
    assignment = Assignment.objects.get(person=org.staff, version=version)
    SectionView.objects.bulk_create([
        SectionView(person=org.staff, version=version, section=s.key)
        for s in sections_of(version, org.academy)])
    _shared_answers_cached(client_as)
    client = client_as("staff")
    url = reverse("acknowledgements:acknowledge", args=[assignment.pk])
    with django_assert_max_num_queries(ACKNOWLEDGE_PAGE_BUDGET):
        page = client.get(url)
    assert page.status_code == 200 and "Question 4?" in page.content.decode()
    answers = {f"q{q.pk}": str(q.correct_choice) for q in version.ack_questions.all()}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, {"agree": "yes", **answers})
    assert response.status_code == 302, response.content.decode()[:500]
    assert len(queries) <= ACKNOWLEDGE_POST_BUDGET, [q["sql"][:120] for q in queries]
    # The clauses and addendum come from the cache; each table is read at most once.
    for table in ("policies_clause", "policies_academyaddendum", "acknowledgements_question",
                  "acknowledgements_chainhead", "acknowledgements_sectionview"):
        assert _on(queries, table) <= 1, table
    record = Acknowledgement.objects.get(person=org.staff, version=version)
    assert len(record.answers) == 4


def test_a_wrong_answer_still_points_to_the_clause_to_reread(client_as, org, many_policies):
    version = many_policies[0]
    assignment = Assignment.objects.get(person=org.staff, version=version)
    SectionView.objects.bulk_create([
        SectionView(person=org.staff, version=version, section=s.key)
        for s in sections_of(version, org.academy)])
    question = version.ack_questions.order_by("order").first()
    response = client_as("staff").post(
        reverse("acknowledgements:acknowledge", args=[assignment.pk]),
        {"agree": "yes", f"q{question.pk}": str((question.correct_choice + 1) % 3)})
    assert response.status_code == 400
    assert f"clause {question.clause.number}" in response.content.decode()
    assert f"#clause-{question.clause.anchor}" in response.content.decode()
    assert not Acknowledgement.objects.exists()


def test_my_policies_stays_within_its_query_budget(client_as, org, busy_academy,
                                                   django_assert_max_num_queries):
    for version in busy_academy[:3]:
        acknowledgement_record(assignment=Assignment.objects.get(person=org.staff,
                                                                 version=version),
                               method="portal", check_reading=False)
    _shared_answers_cached(client_as)
    client = client_as("staff")
    with django_assert_max_num_queries(MINE_BUDGET):
        text = client.get(reverse("acknowledgements:mine")).content.decode()
    assert text.count("View record") == 3
    assert "Policy number 5" in text


def test_the_home_panel_reads_the_assignments_once(client_as, org, busy_academy,
                                                   django_assert_max_num_queries):
    acknowledgement_record(assignment=Assignment.objects.get(person=org.staff,
                                                             version=busy_academy[1]),
                           method="portal", check_reading=False)
    _shared_answers_cached(client_as)
    client = client_as("staff")
    with CaptureQueriesContext(connection) as queries:
        text = client.get(reverse("home")).content.decode()
    assert len(queries) <= HOME_BUDGET, [q["sql"][:120] for q in queries]
    assert _on(queries, "acknowledgements_assignment") == 1
    assert "You have 5 policies to read and acknowledge." in text


def test_the_academy_dashboard_stays_within_its_query_budget(
        client_as, org, busy_academy, django_assert_max_num_queries):
    url = reverse("acknowledgements:academy", args=[org.academy.code])
    _shared_answers_cached(client_as)
    client = client_as("principal")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url + f"?version={busy_academy[0].pk}")
    assert response.status_code == 200
    assert len(queries) <= ACADEMY_DASHBOARD_BUDGET, [q["sql"][:120] for q in queries]
    assert _on(queries, "accounts_academy") <= 1
    text = response.content.decode()
    assert text.count(">Remind<") == 16  # the principal's reports who have not acknowledged
    for query in ("status=overdue", "status=done&q=Teacher", "page=2", "sort=name&dir=desc"):
        with django_assert_max_num_queries(ACADEMY_DASHBOARD_BUDGET + 1):
            assert client.get(url + f"?version={busy_academy[0].pk}&{query}").status_code == 200


def test_the_trust_dashboard_stays_within_its_query_budget(
        client_as, org, busy_academy, django_assert_max_num_queries):
    _shared_answers_cached(client_as)
    client = client_as("hr")
    with django_assert_max_num_queries(TRUST_DASHBOARD_BUDGET):
        response = client.get(reverse("acknowledgements:trust") + f"?version={busy_academy[0].pk}")
    assert response.status_code == 200


def test_the_dashboard_figures_and_pages_match_the_people(client_as, org, busy_academy):
    url = reverse("acknowledgements:academy", args=[org.academy.code])
    version = busy_academy[0]
    response = client_as("principal").get(url + f"?version={version.pk}")
    summary = response.context["summary"]
    current = Assignment.objects.filter(version=version, person__academy=org.academy)
    assert summary["total"] == current.count() == 34
    assert summary["done"] == current.filter(acknowledgement__isnull=False).count() == 15
    page = response.context["page"]
    assert page.paginator.count == 34 and len(response.context["rows"]) == 34
    searched = client_as("principal").get(url + f"?version={version.pk}&q=Teacher 0")
    assert searched.context["page"].paginator.count == 10


def test_a_draft_versions_clauses_are_never_cached(org, policy):
    draft = version_make(policy)
    first = version_pages(draft)[0].clauses[0]
    Clause.objects.filter(pk=first.pk).update(text="Changed while still a draft.")
    assert version_pages(draft)[0].clauses[0].text == "Changed while still a draft."


def test_the_reading_pages_work_when_the_cache_is_down(client_as, org, many_policies,
                                                       monkeypatch):
    from django.core.cache import cache

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", broken)
    monkeypatch.setattr(cache, "set", broken)
    assignment = Assignment.objects.get(person=org.staff, version=many_policies[1])
    response = client_as("staff").get(reverse("acknowledgements:read", args=[assignment.pk, 1]))
    assert response.status_code == 200


def test_names_in_the_dashboard_rows_are_escaped(client_as, org, published):
    person_make(academy=org.academy, line_manager=org.principal, name="<b>O'Neil & Co</b>")
    from acknowledgements.services import assignments_sync

    assignments_sync()
    text = client_as("principal").get(
        reverse("acknowledgements:academy", args=[org.academy.code])).content.decode()
    assert "&lt;b&gt;O&#x27;Neil &amp; Co&lt;/b&gt;" in text
    assert "<b>O'Neil" not in text
    assert 'class="sr-only"> &lt;b&gt;O&#x27;Neil &amp; Co&lt;/b&gt;</span>' in text  # Remind
