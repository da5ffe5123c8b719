from django.core.management import call_command
from django.urls import reverse

from acknowledgements.models import Acknowledgement, Assignment, Question
from policies.models import Clause


def test_hr_can_add_a_question_with_the_clause_to_reread(client_as, org, published):
    clause = Clause.objects.get(version=published, number="2.1")
    response = client_as("hr").post(
        reverse("acknowledgements:questions", args=[published.pk]),
        {"text": "Who is covered?", "choices": "Only teachers\nEveryone who works for us",
         "correct": "2", "clause": clause.pk, "order": "1"})
    assert response.status_code == 302
    question = Question.objects.get()
    assert question.correct_choice == 1
    assert question.clause == clause


def test_a_question_needs_two_answers_and_a_correct_one_among_them(client_as, org, published):
    clause = Clause.objects.get(version=published, number="2.1")
    response = client_as("hr").post(
        reverse("acknowledgements:questions", args=[published.pk]),
        {"text": "Who is covered?", "choices": "Only teachers", "correct": "3",
         "clause": clause.pk, "order": "1"})
    assert "at least two possible answers" in response.content.decode()
    assert not Question.objects.exists()


def test_hr_can_change_and_remove_a_question(client_as, org, published):
    clause = Clause.objects.get(version=published, number="2.1")
    question = Question.objects.create(version=published, text="Old?", choices=["a", "b"],
                                       correct_choice=0, clause=clause)
    client = client_as("hr")
    client.post(reverse("acknowledgements:question_edit", args=[question.pk]),
                {"text": "New?", "choices": "a\nb\nc", "correct": "3", "clause": clause.pk,
                 "order": "1"})
    question.refresh_from_db()
    assert (question.text, question.correct_choice) == ("New?", 2)
    client.post(reverse("acknowledgements:question_delete", args=[question.pk]))
    assert not Question.objects.exists()


def test_staff_and_principals_cannot_manage_questions(client_as, org, published):
    url = reverse("acknowledgements:questions", args=[published.pk])
    assert client_as("staff").get(url).status_code == 403
    assert client_as("principal").get(url).status_code == 403


def seed_all():
    """As `manage.py seed_demo` does: accounts, then policies, then acknowledgements."""
    from accounts import demo as accounts_demo
    from acknowledgements import demo
    from policies import demo as policies_demo

    accounts_demo.seed()
    policies_demo.seed()
    demo.seed()


def test_publishing_in_the_policy_library_asks_the_audience(db):
    from accounts import demo as accounts_demo
    from policies import demo as policies_demo
    from policies.models import PolicyVersion

    accounts_demo.seed()
    policies_demo.seed()
    version = PolicyVersion.objects.get(status="published")
    assert Assignment.objects.filter(version=version, person__email="teacher.northfield@"
                                     "trust.example").exists()


def test_the_demo_seed_is_idempotent(db):
    from acknowledgements import demo

    seed_all()
    counts = (Assignment.objects.count(), Acknowledgement.objects.count(),
              Question.objects.count())
    demo.seed()
    assert (Assignment.objects.count(), Acknowledgement.objects.count(),
            Question.objects.count()) == counts
    assert Acknowledgement.objects.count() > 0
    call_command("verify_acknowledgements")


def test_the_demo_has_done_outstanding_and_overdue_people(db):
    from acknowledgements.selectors import compliance_summary
    from policies.models import PolicyVersion

    seed_all()
    summary = compliance_summary(PolicyVersion.objects.get(status="published"))
    assert summary["done"] and summary["outstanding"] and summary["overdue"]


def test_the_daily_joiner_job_is_scheduled_once(db):
    import importlib

    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    migration = importlib.import_module(
        "acknowledgements.migrations.0002_append_only_triggers_and_daily_job")
    migration.daily_job_up(apps, None)  # already run by migrate; running again adds nothing
    task = PeriodicTask.objects.get(task="acknowledgements.assign_joiners")
    assert task.enabled and task.crontab.hour == "6"
