from django_celery_beat.models import PeriodicTask


def test_undecided_posts_are_expired_by_a_schedule_an_administrator_can_change(db):
    task = PeriodicTask.objects.get(task="approvals.expire_and_end")
    assert task.enabled and task.interval.every == 15 and task.interval.period == "minutes"
