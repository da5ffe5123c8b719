"""Demo: a welcome notification for every demo person, so the bell has something to show."""

from django.urls import reverse

from notifications.services import notify


def seed(stdout=None) -> None:
    from accounts.demo import PEOPLE
    from accounts.models import User

    created = 0
    for person in User.objects.filter(email__in=[row[0] for row in PEOPLE]):
        created += notify(
            recipient=person, kind="portal.welcome", title="Welcome to the Policy Portal",
            body="Notifications about policies, reminders and cases appear here. You can choose "
                 "which ones are emailed to you straight away and which come in one daily "
                 "summary.",
            url=reverse("notifications:preferences"), about=person, period="welcome",
            reason="You have an account in the Policy Portal.",
        ) is not None
    if stdout is not None:
        stdout.write(f"  notifications: {created} welcome notifications")
