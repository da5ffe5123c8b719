import pytest
from django.urls import reverse

from notifications.models import Notification
from notifications.services import notify

ROLES = ["staff", "manager", "principal", "other_principal", "hr", "ceo", "board", "admin",
         "outsider"]


def _tell(person, title="Your acknowledgement is overdue", url="/policies/", **extra):
    return notify(recipient=person, kind="ack.overdue", title=title, url=url, about=person,
                  period=title, **extra)


def test_the_navigation_shows_the_unread_count_as_a_badge(client_as, org):
    _tell(org.staff, "One")
    _tell(org.staff, "Two")
    page = client_as("staff").get(reverse("home")).content.decode()
    assert '(2 unread)' in page


def test_no_badge_when_everything_is_read(client_as, org):
    page = client_as("staff").get(reverse("home")).content.decode()
    assert reverse("notifications:list") in page
    assert "unread)</span>" not in page and '(0 unread)' not in page


def test_the_list_shows_only_my_own_notifications(client_as, org):
    _tell(org.staff, "For the member of staff")
    _tell(org.colleague, "For the colleague")
    page = client_as("staff").get(reverse("notifications:list")).content.decode()
    assert "For the member of staff" in page and "For the colleague" not in page


def test_opening_a_notification_marks_it_read_and_goes_to_what_it_is_about(client_as, org):
    notification = _tell(org.staff, url="/policies/social-media/")
    response = client_as("staff").get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == "/policies/social-media/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_link_to_another_site_is_never_followed(client_as, org):
    notification = _tell(org.staff, url="https://evil.example/phish")
    response = client_as("staff").get(reverse("notifications:open", args=[notification.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_someone_elses_notification_is_not_found(client_as, org):
    notification = _tell(org.colleague)
    client = client_as("staff")
    assert client.get(reverse("notifications:open", args=[notification.pk])).status_code == 404
    response = client.post(reverse("notifications:mark_read", args=[notification.pk]))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_marking_one_as_read_takes_it_off_the_unread_list(client_as, org):
    notification = _tell(org.staff, "Read me")
    client = client_as("staff")
    client.post(reverse("notifications:mark_read", args=[notification.pk]))
    page = client.get(reverse("notifications:list")).content.decode()
    assert "Read me" not in page and "You have read everything." in page
    assert "Read me" in client.get(reverse("notifications:list") + "?show=all").content.decode()


def test_marking_as_read_with_htmx_returns_just_the_updated_item(client_as, org):
    notification = _tell(org.staff, "Read me")
    response = client_as("staff").post(
        reverse("notifications:mark_read", args=[notification.pk]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith("<li") and "Read me" in html and "Mark as read" not in html


def test_mark_all_as_read(client_as, org):
    _tell(org.staff, "One")
    _tell(org.staff, "Two")
    response = client_as("staff").post(reverse("notifications:mark_all_read"), follow=True)
    assert "Marked 2 notifications as read." in response.content.decode()
    assert not Notification.objects.filter(recipient=org.staff, read_at__isnull=True).exists()


def test_the_home_page_shows_unread_notifications(client_as, org):
    _tell(org.staff, "Please acknowledge the Social Media Policy")
    page = client_as("staff").get(reverse("home")).content.decode()
    assert "Unread notifications" in page
    assert "Please acknowledge the Social Media Policy" in page


def test_the_home_page_has_no_notification_panel_when_all_is_read(client_as, org):
    assert "Unread notifications" not in client_as("staff").get(reverse("home")).content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_the_delivery_log_is_for_administrators_only(client_as, role):
    response = client_as(role).get(reverse("notifications:deliveries"))
    assert response.status_code == (200 if role == "admin" else 403)


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_nobody_but_an_administrator_can_resend_an_email(client_as, org, role):
    from notifications.models import Delivery

    delivery = Delivery.objects.create(recipient=org.staff, kind="ack.overdue", status="failed")
    assert client_as(role).post(
        reverse("notifications:delivery_retry", args=[delivery.pk])).status_code == 403


@pytest.mark.parametrize("name", ["notifications:list", "notifications:preferences",
                                  "notifications:deliveries"])
def test_anonymous_visitors_are_sent_to_sign_in(client_as, name):
    response = client_as("anonymous").get(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_everyone_may_see_their_notifications_and_preferences(client_as, role):
    assert client_as(role).get(reverse("notifications:list")).status_code == 200
    assert client_as(role).get(reverse("notifications:preferences")).status_code == 200
