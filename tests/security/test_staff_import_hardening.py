"""Staff import (issue 17, points 1 and 4): a file never demotes the CEO or an administrator,
a file without a role column keeps everyone's role, and every problem the database would refuse
is a row error at preview, so Apply never answers 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role, User
from accounts.services import staff_import_apply, staff_import_parse

NO_ROLE_HEADER = "email,full_name,academy,job_title,category,start_date\n"
ROLE_HEADER = "email,full_name,academy,job_title,category,start_date,role\n"


def csv_bytes(header: str, *rows: str) -> bytes:
    return (header + "\n".join(rows) + "\n").encode()


def row_for(person, *, name=None, role=None) -> str:
    line = (f"{person.email},{name or person.full_name},{person.academy.code},Job,employee,"
            "2015-09-01")
    return line if role is None else f"{line},{role}"


def roles():
    return dict(User.objects.values_list("email", "role"))


def test_a_file_without_a_role_column_keeps_every_existing_role(org):
    before = roles()
    people = [org.ceo, org.admin, org.hr, org.principal, org.board, org.staff]
    result = staff_import_apply(data=csv_bytes(NO_ROLE_HEADER, *map(row_for, people)),
                                actor=org.hr)
    assert result.ok, result.errors
    assert roles() == before
    assert not any("role" in row.changes for row in result.rows)


def test_the_ceo_row_from_the_issue_does_not_demote_the_ceo(org):
    data = csv_bytes(NO_ROLE_HEADER + "", row_for(org.ceo, name="Sean Kelly"))
    preview = staff_import_parse(data)
    assert "role" not in preview.rows[0].changes
    staff_import_apply(data=data, actor=org.hr)
    org.ceo.refresh_from_db()
    assert org.ceo.role == Role.CEO and org.ceo.full_name == "Sean Kelly"


@pytest.mark.parametrize("who", ["ceo", "admin"])
def test_a_role_column_asking_to_demote_the_ceo_or_administrator_is_a_row_error(org, who):
    person = getattr(org, who)
    result = staff_import_apply(data=csv_bytes(ROLE_HEADER, row_for(person, role="staff")),
                                actor=org.hr)
    assert not result.ok
    assert "never changes a CEO's or administrator's role" in result.errors[0][1]
    person.refresh_from_db()
    assert person.role == who


def test_an_empty_role_cell_keeps_an_existing_principal_and_makes_a_newcomer_staff(org):
    newcomer = f"new.person@trust.test,New Person,{org.academy.code},T,employee,2026-01-01,"
    result = staff_import_apply(
        data=csv_bytes(ROLE_HEADER, row_for(org.principal, role=""), newcomer), actor=org.hr)
    assert result.ok, result.errors
    org.principal.refresh_from_db()
    assert org.principal.role == Role.PRINCIPAL
    assert User.objects.get(email="new.person@trust.test").role == Role.STAFF


def test_the_import_page_preview_shows_no_role_change_for_the_ceo(org, client_as):
    upload = SimpleUploadedFile("staff.csv", csv_bytes(NO_ROLE_HEADER, row_for(org.ceo)))
    page = client_as("hr").post(reverse("accounts:staff_import"), {"file": upload})
    assert "role: ceo" not in page.content.decode()


# --- point 4: preview and apply run the same checks -------------------------------------

def _preview_then_apply(client, data: bytes):
    upload = SimpleUploadedFile("staff.csv", data, "text/csv")
    preview = client.post(reverse("accounts:staff_import"), {"file": upload})
    assert preview.status_code == 200
    apply = None
    if preview.context["pending"]:
        apply = client.post(reverse("accounts:staff_import_apply"),
                            {"import_id": preview.context["pending"]["id"]})
    return preview, apply


def _new_row(org, name="New Person", role="staff", email="new.person@trust.test") -> str:
    return f"{email},{name},{org.academy.code},Teacher,employee,2026-01-01,{role}"


HOSTILE_FILES = {
    "a 5,000-character name": lambda org: csv_bytes(ROLE_HEADER, _new_row(org, name="N" * 5000)),
    "a second Principal for an academy": lambda org: csv_bytes(
        ROLE_HEADER, _new_row(org, role="principal")),
    "two new Principals for one academy": lambda org: csv_bytes(
        ROLE_HEADER, row_for(org.principal, role="staff"),
        _new_row(org, role="principal"),
        _new_row(org, role="principal", email="second@trust.test")),
    "a NUL after byte 8,192": lambda org: csv_bytes(
        ROLE_HEADER, *[_new_row(org, email=f"p{i}@trust.test") for i in range(200)],
        _new_row(org, name="Null\x00Person", email="nul@trust.test")),
    "a 300-character job title": lambda org: csv_bytes(
        ROLE_HEADER, _new_row(org).replace("Teacher", "T" * 300)),
}


@pytest.mark.parametrize("problem", sorted(HOSTILE_FILES))
def test_a_problem_the_database_would_refuse_is_a_row_error_at_preview(org, client_as, problem):
    data = HOSTILE_FILES[problem](org)
    if problem == "a NUL after byte 8,192":
        assert data.index(b"\x00") > 8192
    before = sorted(User.objects.values_list("email", "role", "full_name"))
    preview, apply = _preview_then_apply(client_as("hr"), data)
    assert apply is None, "the preview offered Apply"
    assert "Apply this import" not in preview.content.decode()
    assert [line for line, _ in preview.context["result"].errors if line], "no row named"
    assert sorted(User.objects.values_list("email", "role", "full_name")) == before


def test_a_principal_handing_over_to_a_newcomer_in_one_file_applies_in_either_order(org):
    handover = [_new_row(org, role="principal"), row_for(org.principal, role="staff")]
    result = staff_import_apply(data=csv_bytes(ROLE_HEADER, *handover), actor=org.hr)
    assert result.ok, result.errors
    assert User.objects.get(email="new.person@trust.test").role == Role.PRINCIPAL
    org.principal.refresh_from_db()
    assert org.principal.role == Role.STAFF


def test_the_row_error_for_a_second_principal_names_the_current_one(org):
    result = staff_import_parse(csv_bytes(ROLE_HEADER, _new_row(org, role="principal")))
    assert f"already has a Principal: {org.principal.full_name}" in result.errors[0][1]
