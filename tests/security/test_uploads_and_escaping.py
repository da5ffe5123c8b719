"""Hostile uploads and hostile text: nothing escapes the private folder, nothing runs as markup."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User
from audit.services import audit_log
from tests.factories import person_make

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
HEADER = "email,full_name,academy,job_title,category,start_date\n"


@pytest.fixture
def private_root(settings, tmp_path):
    """PRIVATE_STORAGE_ROOT inside an empty folder, so any file written beside it shows."""
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "site" / "private"
    settings.PRIVATE_STORAGE_ROOT.mkdir(parents=True)
    return settings.PRIVATE_STORAGE_ROOT


def files_under(folder):
    return sorted(p for p in folder.rglob("*") if p.is_file())


def upload(client_as, name: str, data: bytes, content_type: str = "text/csv"):
    return client_as("hr").post(
        reverse("accounts:staff_import"), {"file": SimpleUploadedFile(name, data, content_type)}
    )


def test_a_path_traversal_file_name_is_stored_only_under_the_private_folder(
    client_as, org, private_root, tmp_path
):
    row = f"new.person@trust.test,New Person,{org.academy.code},Teacher,employee,2026-09-01\n"
    response = upload(client_as, "../../etc/passwd.csv", (HEADER + row).encode())
    assert response.status_code == 200 and b"Apply this import" in response.content
    written = files_under(tmp_path)
    assert len(written) == 1
    assert written[0].parent == private_root / "imports"
    assert written[0].name != "passwd.csv" and ".." not in written[0].as_posix()
    assert "../" not in response.content.decode()


def test_a_picture_renamed_to_csv_is_refused_and_nothing_is_stored(client_as, org, private_root):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
    response = upload(client_as, "staff.csv", png, "image/png")
    assert "its contents are a PNG image" in response.content.decode()
    assert b"Apply this import" not in response.content
    assert files_under(private_root) == []


def test_a_huge_upload_is_refused_with_the_limit_and_nothing_is_stored(
    client_as, org, private_root
):
    huge = (HEADER + "x" * 3_000_000).encode()
    response = upload(client_as, "staff.csv", huge)
    assert response.status_code == 200
    assert "the limit is 2 MB" in response.content.decode()
    assert files_under(private_root) == []


def test_an_html_file_with_a_script_is_refused_and_shown_only_as_text(client_as, org,
                                                                      private_root):
    response = upload(client_as, f"{SCRIPT}.csv", f"<html>{SCRIPT}</html>".encode(), "text/html")
    text = response.content.decode()
    assert "its contents are a Saved web page" in text
    assert SCRIPT not in text
    assert files_under(private_root) == []


@pytest.fixture
def hostile_person(org):
    person = person_make(academy=org.academy, name=SCRIPT, job_title=SCRIPT)
    audit_log(action="accounts.person_updated", actor=org.hr, obj=person, summary=SCRIPT,
              changes={"full_name": ["Someone", SCRIPT]})
    return person


def test_a_person_named_like_a_script_shows_as_text_on_the_people_list(client_as, hostile_person):
    text = client_as("hr").get(reverse("accounts:people_list")).content.decode()
    assert ESCAPED in text
    assert SCRIPT not in text


def test_a_person_named_like_a_script_shows_as_text_on_their_page(client_as, hostile_person):
    url = reverse("accounts:person_detail", args=[hostile_person.pk])
    text = client_as("hr").get(url).content.decode()
    assert ESCAPED in text
    assert SCRIPT not in text


def test_a_script_in_an_audit_event_shows_as_text_on_the_audit_trail(client_as, hostile_person):
    text = client_as("hr").get(reverse("audit:event_list")).content.decode()
    assert ESCAPED in text
    assert SCRIPT not in text


def test_a_script_in_a_search_box_is_echoed_only_as_text(client_as, hostile_person):
    response = client_as("hr").get(reverse("accounts:people_list"), {"q": SCRIPT})
    assert SCRIPT not in response.content.decode()
    assert User.objects.filter(full_name=SCRIPT).exists()
