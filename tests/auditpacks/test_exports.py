"""CSV and Excel exports of the roster, the case register and the approvals registers."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEvent
from core.csvfile import csv_bytes


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_hr_exports_the_whole_roster_as_csv(client_as, roster):
    response = client_as("hr").get(reverse("auditpacks:export_roster", args=[roster.pk, "csv"]))
    rows = csv_rows(response)
    assert rows[0] == ["Name", "Academy", "Category", "Acknowledged at", "Method", "Status"]
    assert len(rows) == 11
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Staff Member"][4:] == ["In the portal", "done"]
    assert by_name["Other Staff"][1] == "Riverside Secondary Academy"
    assert by_name["Other Staff"][5] == "overdue"
    assert AuditEvent.objects.filter(action="auditpacks.export_downloaded").exists()


def test_a_principal_exports_only_their_own_academy(client_as, roster):
    response = client_as("principal").get(
        reverse("auditpacks:export_roster", args=[roster.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == ["Line Manager", "Principal North", "Staff Colleague",
                             "Staff Member"]


@pytest.mark.parametrize("role", ["staff", "manager", "outsider"])
def test_staff_cannot_export_the_roster(client_as, roster, role):
    url = reverse("auditpacks:export_roster", args=[roster.pk, "csv"])
    assert client_as(role).get(url).status_code == 403


def test_the_case_register_lists_the_cases_hr_may_see(fresh_client_as, case):
    rows = csv_rows(fresh_client_as("hr").get(reverse("auditpacks:export_cases", args=["csv"])))
    assert rows[0][0] == "Reference" and rows[1][0] == case.reference


def test_the_case_register_is_empty_for_a_principal_of_another_academy(fresh_client_as,
                                                                       case):
    rows = csv_rows(fresh_client_as("other_principal").get(
        reverse("auditpacks:export_cases", args=["csv"])))
    assert rows == [rows[0]]


@pytest.mark.parametrize("role", ["staff", "manager", "board", "admin"])
def test_people_who_do_not_handle_cases_cannot_export_the_case_register(client_as, case, role):
    assert client_as(role).get(
        reverse("auditpacks:export_cases", args=["csv"])).status_code == 403


def test_the_approvals_register_exports_as_excel(client_as, db):
    response = client_as("ceo").get(
        reverse("auditpacks:export_approvals", args=["in-force", "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert next(sheet.iter_rows(values_only=True))[0] == "Reference"


def test_the_monitoring_register_is_not_offered_to_the_board(client_as, db):
    url = reverse("auditpacks:export_approvals", args=["monitoring", "csv"])
    assert client_as("board").get(url).status_code == 404
    assert client_as("hr").get(url).status_code == 200


def test_an_unknown_format_is_not_found(client_as, roster):
    url = reverse("auditpacks:export_roster", args=[roster.pk, "pdf"])
    assert client_as("hr").get(url).status_code == 404


def test_a_cell_that_looks_like_a_formula_is_exported_as_text(db):
    from auditpacks.exports import table_from_rows

    headers, cells = table_from_rows([{"name": "=HYPERLINK(\"x\")"}], [("name", "Name")])
    assert csv_bytes(cells, headers).decode("utf-8-sig").splitlines()[1] == '"\'=HYPERLINK(""x"")"'


def test_the_exports_page_offers_what_each_person_may_download(client_as, roster):
    hr = client_as("hr").get(reverse("auditpacks:exports")).content.decode()
    principal = client_as("principal").get(reverse("auditpacks:exports")).content.decode()
    assert "Case register" in hr and "Approvals registers" in hr
    assert "Acknowledgement roster" in principal
    assert client_as("staff").get(reverse("auditpacks:exports")).status_code == 403
