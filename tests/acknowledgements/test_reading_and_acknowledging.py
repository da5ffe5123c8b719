from django.urls import reverse
from django.utils import timezone

from acknowledgements.models import Acknowledgement, Assignment, Question
from acknowledgements.sections import sections_of
from policies.models import Clause
from tests.acknowledgements.conftest import publish, read_everything, version_make


def staff_assignment(org, version):
    return Assignment.objects.get(person=org.staff, version=version)


def acknowledge(client, assignment, **answers):
    return client.post(reverse("acknowledgements:acknowledge", args=[assignment.pk]),
                       {"agree": "yes", **answers})


def test_the_home_page_shows_what_is_waiting(client_as, org, published):
    page = client_as("staff").get(reverse("home")).content.decode()
    assert "Policies waiting for you" in page
    assert "Social Media Policy" in page


def test_the_home_page_says_when_nothing_is_waiting(client_as, org):
    page = client_as("staff").get(reverse("home")).content.decode()
    assert "You have acknowledged every policy that applies to you" in page


def test_the_policy_is_served_one_section_at_a_time(client_as, org, published):
    assignment = staff_assignment(org, published)
    page = client_as("staff").get(reverse("acknowledgements:read", args=[assignment.pk, 2]))
    text = page.content.decode()
    assert "Who is covered by the policy?" in text
    assert "section 2 of 12" in text
    assert "This policy covers all employees" in text


def test_acknowledging_is_refused_until_every_section_was_opened(client_as, org, published):
    assignment = staff_assignment(org, published)
    client = client_as("staff")
    for index in range(1, 12):  # every section but the last
        client.get(reverse("acknowledgements:read", args=[assignment.pk, index]))
    response = acknowledge(client, assignment)
    assert response.status_code == 400
    assert "Open every section" in response.content.decode()
    assert not Acknowledgement.objects.exists()


def test_the_acknowledge_page_lists_the_sections_still_to_open(client_as, org, published):
    assignment = staff_assignment(org, published)
    client = client_as("staff")
    client.get(reverse("acknowledgements:read", args=[assignment.pk, 1]))
    page = client.get(reverse("acknowledgements:acknowledge", args=[assignment.pk]))
    text = page.content.decode()
    assert "Sections you have not opened yet" in text
    assert "Review of policy" in text
    assert 'type="submit">Acknowledge' not in text


def test_a_person_who_opened_every_section_can_acknowledge(client_as, org, published):
    assignment = staff_assignment(org, published)
    client = client_as("staff")
    read_everything(client, assignment)
    response = acknowledge(client, assignment)
    assert response.status_code == 302
    assert Acknowledgement.objects.filter(person=org.staff, version=published).exists()


def test_the_statement_must_be_ticked(client_as, org, published):
    assignment = staff_assignment(org, published)
    client = client_as("staff")
    read_everything(client, assignment)
    response = client.post(reverse("acknowledgements:acknowledge", args=[assignment.pk]), {})
    assert "Tick the box" in response.content.decode()
    assert not Acknowledgement.objects.exists()


def test_the_exact_statement_is_stored_with_the_record(client_as, org, published):
    assignment = staff_assignment(org, published)
    client = client_as("staff")
    read_everything(client, assignment)
    shown = client.get(reverse("acknowledgements:acknowledge", args=[assignment.pk]))
    acknowledge(client, assignment)
    record = Acknowledgement.objects.get()
    assert record.statement.startswith("I have read and understood the Social Media Policy")
    assert record.statement.endswith("and I will comply with it.")
    assert record.statement in shown.content.decode()


def test_the_record_holds_who_what_when_where_and_how(client_as, org, published):
    assignment = staff_assignment(org, published)
    client = client_as("staff")
    read_everything(client, assignment)
    client.post(reverse("acknowledgements:acknowledge", args=[assignment.pk]), {"agree": "yes"},
                HTTP_USER_AGENT="Firefox on a school laptop", REMOTE_ADDR="10.1.2.3")
    record = Acknowledgement.objects.get()
    assert (record.person, record.version) == (org.staff, published)
    assert record.content_hash == published.content_hash
    assert record.ip_address == "10.1.2.3"
    assert record.user_agent == "Firefox on a school laptop"
    assert record.method == "portal"
    assert record.acknowledged_at is not None


def questions_for(version):
    clauses = {c.number: c for c in Clause.objects.filter(version=version)}
    first = Question.objects.create(
        version=version, order=1, text="Who does the policy cover?",
        choices=["Only teachers", "Everyone who works for us"], correct_choice=1,
        clause=clauses["2.1"])
    second = Question.objects.create(
        version=version, order=2, text="Who do you report misuse to?",
        choices=["The Principal or CEO", "Nobody"], correct_choice=0, clause=clauses["4.3"])
    return first, second


def test_questions_must_all_be_answered_correctly(client_as, org, published):
    first, second = questions_for(published)
    assignment = staff_assignment(org, published)
    client = client_as("staff")
    read_everything(client, assignment)
    response = acknowledge(client, assignment, **{f"q{first.pk}": "1", f"q{second.pk}": "1"})
    assert response.status_code == 400
    assert not Acknowledgement.objects.exists()


def test_a_wrong_answer_says_which_clause_to_reread(client_as, org, published):
    first, second = questions_for(published)
    assignment = staff_assignment(org, published)
    client = client_as("staff")
    read_everything(client, assignment)
    text = acknowledge(client, assignment, **{f"q{first.pk}": "0", f"q{second.pk}": "0"}
                       ).content.decode()
    assert "Re-read" in text and "clause 2.1" in text
    assert "clause 4.3" not in text
    assert reverse("acknowledgements:read", args=[assignment.pk, 2]) + "#clause-2.1" in text


def test_right_answers_are_stored_with_the_record(client_as, org, published):
    first, second = questions_for(published)
    assignment = staff_assignment(org, published)
    client = client_as("staff")
    read_everything(client, assignment)
    acknowledge(client, assignment, **{f"q{first.pk}": "1", f"q{second.pk}": "0"})
    record = Acknowledgement.objects.get()
    assert record.answers[0] == {"question": "Who does the policy cover?",
                                 "answer": "Everyone who works for us"}


def test_reacknowledging_shows_the_redline_since_the_version_they_acknowledged_first(
        client_as, org, published):
    client = client_as("staff")
    first = staff_assignment(org, published)
    read_everything(client, first)
    acknowledge(client, first)
    v2 = publish(version_make(published.policy, "2025-09", changes={
        "1.1": "We recognise that the internet and artificial intelligence tools provide "
               "unique opportunities."}))
    second = staff_assignment(org, v2)
    start = client.get(reverse("acknowledgements:start", args=[second.pk]))
    assert start["Location"] == reverse("acknowledgements:changes", args=[second.pk])
    text = client.get(start["Location"]).content.decode()
    assert "Since version 2023-09, which you acknowledged" in text
    assert "<ins>" in text and "artificial" in text


def test_a_first_acknowledgement_starts_with_the_text(client_as, org, published):
    assignment = staff_assignment(org, published)
    start = client_as("staff").get(reverse("acknowledgements:start", args=[assignment.pk]))
    assert start["Location"] == reverse("acknowledgements:read", args=[assignment.pk, 1])


def test_nobody_can_open_someone_elses_request(client_as, org, published):
    assignment = staff_assignment(org, published)
    for name in ("colleague", "manager", "hr"):
        url = reverse("acknowledgements:read", args=[assignment.pk, 1])
        assert client_as(name).get(url).status_code == 404


def test_every_section_page_exists_and_one_past_the_end_does_not(client_as, org, published):
    assignment = staff_assignment(org, published)
    count = len(sections_of(published))
    client = client_as("staff")
    assert client.get(reverse("acknowledgements:read", args=[assignment.pk, count])
                      ).status_code == 200
    assert client.get(reverse("acknowledgements:read", args=[assignment.pk, count + 1])
                      ).status_code == 404


def test_acknowledging_again_says_it_is_already_done(client_as, org, published):
    assignment = staff_assignment(org, published)
    client = client_as("staff")
    read_everything(client, assignment)
    acknowledge(client, assignment)
    response = acknowledge(client, assignment)
    assert response.status_code == 302
    follow = client.get(response["Location"]).content.decode()
    assert "already acknowledged" in follow
    assert Acknowledgement.objects.count() == 1


def test_my_policies_lists_what_is_waiting_and_what_is_done(client_as, org, published):
    text = client_as("staff").get(reverse("acknowledgements:mine")).content.decode()
    assert "Waiting for you" in text and "Social Media Policy" in text


def approve_addendum(version, academy, text):
    from policies.models import AcademyAddendum

    return AcademyAddendum.objects.create(
        version=version, academy=academy, text=text, status=AcademyAddendum.Status.APPROVED,
        content_hash=AcademyAddendum.hash_text(text), approved_at=timezone.now())


def test_the_academys_addendum_is_a_page_that_must_be_opened_too(client_as, org, published):
    approve_addendum(published, org.academy, "Report concerns to the office the same day.")
    assignment = staff_assignment(org, published)
    client = client_as("staff")
    for index in range(1, 13):  # the 12 sections of the policy, not the addendum
        client.get(reverse("acknowledgements:read", args=[assignment.pk, index]))
    assert acknowledge(client, assignment).status_code == 400
    page = client.get(reverse("acknowledgements:read", args=[assignment.pk, 13])).content.decode()
    assert "Report concerns to the office the same day." in page
    assert acknowledge(client, assignment).status_code == 302


def test_the_record_hash_covers_the_academys_addendum(client_as, org, published):
    from policies.selectors import version_content_hash_for

    approve_addendum(published, org.academy, "Local arrangements.")
    assignment = staff_assignment(org, published)
    client = client_as("staff")
    read_everything(client, assignment)
    acknowledge(client, assignment)
    record = Acknowledgement.objects.get()
    assert record.content_hash == version_content_hash_for(published, org.academy)
    assert record.content_hash != published.content_hash
