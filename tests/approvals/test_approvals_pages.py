"""Who may open each approvals page; everyone else gets 403 (pages) or 404 (objects)."""

import pytest
from django.urls import reverse

from tests.approvals.conftest import decide, make_monitoring, make_post, png_upload

ROLES = ["staff", "manager", "principal", "other_principal", "hr", "ceo", "board", "admin",
         "outsider"]
EVERYONE = set(ROLES)
PAGES = {
    "approvals:index": EVERYONE,
    "approvals:queue": EVERYONE,
    "approvals:new": EVERYONE,
    "approvals:calendar": {"principal", "other_principal", "hr", "ceo", "board"},
    "approvals:register": {"principal", "other_principal", "hr", "ceo", "board"},
    "approvals:monitoring_register": {"hr", "ceo"},
    "approvals:delegations": {"principal", "other_principal", "ceo"},
    "approvals:routing": {"ceo", "admin"},
}


@pytest.mark.parametrize("url_name", sorted(PAGES))
@pytest.mark.parametrize("role", ROLES)
def test_each_page_opens_only_for_the_roles_allowed_to_see_it(client_as, url_name, role):
    response = client_as(role).get(reverse(url_name))
    assert response.status_code == (200 if role in PAGES[url_name] else 403)


@pytest.mark.parametrize("url_name", sorted(PAGES))
def test_anonymous_visitors_are_sent_to_sign_in(client_as, url_name):
    response = client_as("anonymous").get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("kind", ["post", "media", "professional_use", "device", "permission"])
def test_every_request_form_opens_for_staff(client_as, kind):
    response = client_as("staff").get(reverse("approvals:create", args=[kind]))
    assert response.status_code == 200


def test_only_line_managers_and_principals_may_open_the_monitoring_form(client_as):
    url = reverse("approvals:create", args=["monitoring"])
    assert client_as("manager").get(url).status_code == 200
    assert client_as("principal").get(url).status_code == 200
    assert client_as("staff").get(url).status_code == 403
    assert client_as("hr").get(url).status_code == 403


def test_a_post_request_is_visible_to_its_academy_but_not_to_another(client_as, org):
    req = make_post(org.staff)
    url = reverse("approvals:detail", args=[req.pk])
    for role in ["staff", "principal", "ceo", "hr", "board"]:
        assert client_as(role).get(url).status_code == 200, role
    for role in ["colleague", "outsider", "other_principal", "admin"]:
        client = client_as("anonymous")
        client.force_login(getattr(org, role))
        assert client.get(url).status_code == 404, role


def test_an_uploaded_image_is_served_only_to_people_who_may_see_the_request(client_as, org):
    req = make_post(org.staff, images=1)
    attachment = req.current_revision().attachments.get()
    url = reverse("approvals:attachment", args=[attachment.pk])
    response = client_as("principal").get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert client_as("outsider").get(url).status_code == 404
    assert client_as("anonymous").get(url).status_code == 302


def test_the_detail_page_of_each_state_renders(client_as, org):
    req = make_post(org.staff, images=1)
    decide(req, org.principal, "ask_changes", reasons="Crop the photo.")
    page = client_as("staff").get(reverse("approvals:detail", args=[req.pk]))
    assert "Crop the photo." in page.content.decode()
    assert "Change and resubmit" in page.content.decode()


def test_staff_submit_a_post_with_an_image_through_the_form(client_as, org):
    from tests.approvals.conftest import soon

    response = client_as("staff").post(reverse("approvals:create", args=["post"]), {
        "title": "Sports day", "platform": "facebook", "account": "@North",
        "text": "Well done everyone!", "image_description": "Children racing",
        "publish_at": soon().strftime("%Y-%m-%dT%H:%M"), "audience": "parents",
        "pupils_appear": "on", "consent_confirmed": "on", "consent_note": "Consent list",
        "files": [png_upload()],
    })
    assert response.status_code == 302
    req = org.staff.approval_requests.get()
    assert req.status == "pending"
    assert req.current_revision().attachments.count() == 1


def test_pupils_in_a_post_need_a_consent_confirmation(client_as, org):
    from tests.approvals.conftest import soon

    response = client_as("staff").post(reverse("approvals:create", args=["post"]), {
        "title": "Sports day", "platform": "facebook", "account": "@North",
        "text": "Well done everyone!", "publish_at": soon().strftime("%Y-%m-%dT%H:%M"),
        "audience": "parents", "pupils_appear": "on",
    })
    assert response.status_code == 200
    assert "confirm that you have checked their consent" in response.content.decode()
    assert not org.staff.approval_requests.exists()


def test_a_file_that_is_not_really_an_image_is_refused(client_as, org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.approvals.conftest import soon

    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not an image", content_type="image/png")
    response = client_as("staff").post(reverse("approvals:create", args=["post"]), {
        "title": "Sports day", "platform": "facebook", "account": "@North",
        "text": "Well done!", "image_description": "x",
        "publish_at": soon().strftime("%Y-%m-%dT%H:%M"), "audience": "parents", "files": [fake],
    })
    assert response.status_code == 200
    assert "not a file type we accept" in response.content.decode()
    assert not org.staff.approval_requests.exists()


def test_a_file_over_the_size_limit_is_refused(client_as, org, settings):
    from tests.approvals.conftest import soon

    settings.MAX_UPLOAD_BYTES = 100
    response = client_as("staff").post(reverse("approvals:create", args=["post"]), {
        "title": "Sports day", "platform": "facebook", "account": "@North",
        "text": "Well done!", "image_description": "x",
        "publish_at": soon().strftime("%Y-%m-%dT%H:%M"), "audience": "parents",
        "files": [png_upload()],
    })
    assert "the limit is" in response.content.decode()
    assert not org.staff.approval_requests.exists()


def test_the_monitored_person_cannot_open_the_request_about_them(client_as, org):
    req = make_monitoring(org.manager, org.staff)
    url = reverse("approvals:detail", args=[req.pk])
    assert client_as("staff").get(url).status_code == 404
    assert client_as("manager").get(url).status_code == 200
