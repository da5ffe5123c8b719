import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import User
from accounts.services import staff_import_apply, staff_import_parse
from audit.models import AuditEvent

HEADER = (
    "email,full_name,academy,job_title,category,start_date,role,leaving_date,line_manager_email\n"
)


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return (header + "\n".join(rows) + "\n").encode()


def good_rows(org) -> list[str]:
    code = org.academy.code
    return [
        f"new.teacher@trust.test,New Teacher,{code},Teacher,employee,2026-09-01,staff,,"
        f"{org.manager.email}",
        f"new.volunteer@trust.test,New Volunteer,{code},Volunteer,volunteer,01/10/2026,,,"
        "new.teacher@trust.test",
    ]


def snapshot():
    return sorted(User.objects.values_list("email", "full_name", "leaving_date", "line_manager"))


def test_a_valid_file_creates_people_and_links_their_line_managers(org):
    result = staff_import_apply(data=csv_bytes(*good_rows(org)), actor=org.hr)
    assert result.ok and result.count("create") == 2
    volunteer = User.objects.get(email="new.volunteer@trust.test")
    assert volunteer.line_manager.email == "new.teacher@trust.test"
    assert volunteer.category == "volunteer"
    assert User.objects.get(email="new.teacher@trust.test").line_manager == org.manager


def test_an_existing_person_is_updated_by_email_and_a_leaving_date_marks_a_leaver(org):
    row = (f"{org.staff.email},Staff Member,{org.academy.code},Teacher,employee,2020-09-01,"
           f"staff,2026-08-31,{org.manager.email}")
    result = staff_import_apply(data=csv_bytes(row), actor=org.hr)
    assert result.count("update") == 1
    org.staff.refresh_from_db()
    assert str(org.staff.leaving_date) == "2026-08-31"
    assert AuditEvent.objects.filter(action="accounts.person_left", object_id=str(org.staff.pk))


def test_new_people_get_an_invitation_to_set_a_password(
    org, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        staff_import_apply(data=csv_bytes(*good_rows(org)), actor=org.hr)
    assert {m.to[0] for m in mailoutbox} == {"new.teacher@trust.test", "new.volunteer@trust.test"}
    assert "/accounts/password/reset/key/" in mailoutbox[0].body


BAD_FILES = {
    "unknown academy": ["x@trust.test,X,nowhere,T,employee,2026-01-01,,,"],
    "bad email": ["not-an-email,X,{code},T,employee,2026-01-01,,,"],
    "duplicate email": ["d@trust.test,D,{code},T,employee,2026-01-01,,,",
                        "d@trust.test,D2,{code},T,employee,2026-01-01,,,"],
    "bad category": ["c@trust.test,C,{code},T,pirate,2026-01-01,,,"],
    "bad date": ["e@trust.test,E,{code},T,employee,31/31/2026,,,"],
    "unknown manager": ["m@trust.test,M,{code},T,employee,2026-01-01,,,ghost@trust.test"],
}


@pytest.mark.parametrize("problem", sorted(BAD_FILES))
def test_a_file_with_a_bad_row_changes_nothing_and_names_the_line(org, problem):
    rows = good_rows(org) + [r.format(code=org.academy.code) for r in BAD_FILES[problem]]
    before = snapshot()
    result = staff_import_apply(data=csv_bytes(*rows), actor=org.hr)
    assert not result.ok
    assert all(line is None or line >= 2 for line, _ in result.errors)
    assert any(line in (4, 5) for line, _ in result.errors)
    assert snapshot() == before


def test_a_missing_column_is_reported_before_any_row(org):
    result = staff_import_parse(b"email,full_name\nx@trust.test,X\n")
    assert "Missing column(s): academy, job_title, category, start_date" in result.errors[0][1]


def test_a_file_in_the_wrong_encoding_is_refused_with_advice(org):
    data = csv_bytes(f"z@trust.test,Zo\xeb,{org.academy.code},T,employee,2026-01-01,,,").decode()
    result = staff_import_parse(data.encode("latin-1"))
    assert "not UTF-8" in result.errors[0][1]


def test_five_megabytes_of_junk_is_refused_and_changes_nothing(org):
    before = snapshot()
    result = staff_import_apply(data=b"\x89junk" * 1_000_000, actor=org.hr)
    assert not result.ok and "limit is 2 MB" in result.errors[0][1]
    assert snapshot() == before


def test_the_command_refuses_a_bad_file_and_lists_the_problems(org, tmp_path, capsys):
    path = tmp_path / "staff.csv"
    path.write_bytes(csv_bytes("bad,X,nowhere,T,employee,2026-01-01,,,"))
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import_staff", str(path))
    assert "line 2" in capsys.readouterr().err


def test_the_command_dry_run_previews_without_writing(org, tmp_path, capsys):
    path = tmp_path / "staff.csv"
    path.write_bytes(csv_bytes(*good_rows(org)))
    call_command("import_staff", str(path), "--dry-run")
    assert "Would apply: 2 created" in capsys.readouterr().out
    assert not User.objects.filter(email="new.teacher@trust.test").exists()


def test_hr_previews_then_applies_an_import_in_the_browser(org, client_as):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_as("hr")
    upload = SimpleUploadedFile("staff.csv", csv_bytes(*good_rows(org)), "text/csv")
    preview = client.post(reverse("accounts:staff_import"), {"file": upload})
    assert b"Apply this import" in preview.content
    assert not User.objects.filter(email="new.teacher@trust.test").exists()
    import_id = preview.context["pending"]["id"]
    client.post(reverse("accounts:staff_import_apply"), {"import_id": import_id})
    assert User.objects.filter(email="new.teacher@trust.test").exists()


def test_the_import_page_shows_every_bad_row_and_offers_no_apply_button(org, client_as):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("staff.csv", csv_bytes("bad,X,nowhere,T,employee,2026-01-01,,,"))
    page = client_as("hr").post(reverse("accounts:staff_import"), {"file": upload})
    text = page.content.decode()
    assert "is not a valid email address" in text and "Unknown academy" in text
    assert "Apply this import" not in text
