import pytest
from django.urls import reverse

from audit.models import AuditEvent
from notifications.models import Notification
from notifications.services import preferences_for, preferences_update, route_pending


def _notify(person, kind="policy.review_due", urgent=False, title="Review due"):
    from notifications.services import notify

    notify(recipient=person, kind=kind, title=title, urgent=urgent, about=person)
    return route_pending()


def test_everyone_starts_with_one_summary_a_day(org):
    assert set(preferences_for(org.staff).values()) == {"daily"}


def test_a_daily_person_is_not_emailed_straight_away(org, mails):
    assert _notify(org.hr) == 0
    assert mails() == []
    assert Notification.objects.get().email_state == "digest"


def test_choosing_immediate_email_sends_each_notification_at_once(org, mails):
    preferences_update(user=org.hr, choices={"policies": "immediate"})
    _notify(org.hr, title="Social Media Policy review due in 30 days")
    [mail] = mails(org.hr)
    assert mail.subject == "Social Media Policy review due in 30 days"
    assert "You chose to be emailed straight away" in mail.body


def test_portal_only_is_never_emailed_but_still_shown_under_the_bell(org, mails, client_as):
    preferences_update(user=org.hr, choices={"policies": "portal"})
    _notify(org.hr)
    import datetime

    from notifications.services import digests_send

    digests_send(today=datetime.date(2026, 11, 26))
    assert mails() == []
    assert "Review due" in client_as("hr").get(reverse("notifications:list")).content.decode()


def test_urgent_notifications_are_emailed_even_if_email_is_turned_off(org, mails):
    preferences_update(user=org.principal, choices={"breaches": "portal"})
    _notify(org.principal, kind="breach.new", urgent=True, title="New case reported")
    [mail] = mails(org.principal)
    assert "always emailed straight away" in mail.body


def test_acknowledgement_reminders_cannot_be_turned_off(org):
    with pytest.raises(ValueError, match="not allowed"):
        preferences_update(user=org.staff, choices={"acknowledgements": "portal"})


def test_the_preferences_page_offers_portal_only_just_where_it_is_allowed(client_as):
    page = client_as("staff").get(reverse("notifications:preferences")).content.decode()
    assert 'id="id_acknowledgements_2"' not in page
    assert 'id="id_policies_2"' in page


def test_saving_the_preferences_page_keeps_the_choice_and_records_it(client_as, org):
    data = {"acknowledgements": "immediate", "policies": "daily", "breaches": "portal",
            "approvals": "daily", "other": "daily"}
    response = client_as("staff").post(reverse("notifications:preferences"), data, follow=True)
    assert "Your notification choices are saved." in response.content.decode()
    assert preferences_for(org.staff)["acknowledgements"] == "immediate"
    event = AuditEvent.objects.get(action="notifications.preferences_changed")
    assert event.changes["breaches"] == ["daily", "portal"]


def test_a_forged_choice_is_refused_and_nothing_changes(client_as, org):
    data = {"acknowledgements": "portal", "policies": "daily", "breaches": "daily",
            "approvals": "daily", "other": "daily"}
    response = client_as("staff").post(reverse("notifications:preferences"), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert preferences_for(org.staff)["acknowledgements"] == "daily"


def test_the_saved_choices_are_the_ones_checked_when_the_page_opens_again(client_as):
    client = client_as("staff")
    data = {"acknowledgements": "immediate", "policies": "daily", "breaches": "portal",
            "approvals": "daily", "other": "daily"}
    page = client.post(reverse("notifications:preferences"), data, follow=True).content.decode()
    assert 'value="immediate" id="id_acknowledgements_0" required checked>' in page
    assert 'value="portal" id="id_breaches_2" required checked>' in page
    assert 'value="daily" id="id_breaches_1" required>' in page


def test_a_refused_choice_shows_what_was_sent_and_the_error_next_to_it(client_as):
    data = {"acknowledgements": "portal", "policies": "portal", "breaches": "daily",
            "approvals": "daily", "other": "daily"}
    page = client_as("staff").post(reverse("notifications:preferences"), data).content.decode()
    group = page[page.index('aria-describedby="acknowledgements-help"'):]
    assert "Select a valid choice" in group[:group.index("</fieldset>")]
    assert 'value="portal" id="id_policies_2" required checked>' in page


def test_someone_signed_out_is_sent_to_sign_in_from_the_preferences_page(client_as):
    response = client_as("anonymous").get(reverse("notifications:preferences"))
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]
