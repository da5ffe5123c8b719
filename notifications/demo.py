"""Demo: a welcome notification for every demo person, so the bell has something to show."""

from django.urls import reverse

from notifications.models import Notification
from notifications.services import notify


def seed(stdout=None) -> None:
    from accounts.demo import PEOPLE
    from accounts.models import User

    created = 0
    for person in User.objects.filter(email__in=[row[0] for row in PEOPLE]):
        welcome = notify(
            recipient=person, kind="portal.welcome", title="Welcome to the Policy Portal",
            body="Notifications about policies, reminders and cases appear here. You can choose "
                 "which ones are emailed to you straight away and which come in one daily "
                 "summary.",
            url=reverse("notifications:preferences"), about=person, period="welcome",
            reason="you have an account in the Policy Portal",
        )
        if welcome is not None:  # shown under the bell only; nobody needs an email for it
            Notification.objects.filter(pk=welcome.pk).update(
                email_state=Notification.EmailState.NONE)
            created += 1
    if stdout is not None:
        stdout.write(f"  notifications: {created} welcome notifications")
