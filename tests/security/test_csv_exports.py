"""Every CSV download is written by core.csvfile: a name that a spreadsheet would run as a formula
is exported as text, the file starts with a byte-order mark, and each export keeps its own
heading row and file name."""

import codecs
import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.csvfile import cell, csv_bytes
from tests.breaches.conftest import fresh_auth

FORMULA = '=HYPERLINK("http://evil.test","x")'
NEUTRALISED = "'" + FORMULA


def download(response) -> tuple[str, list[list[str]]]:
    """(file name, rows) of a CSV download."""
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.startswith(codecs.BOM_UTF8)
    filename = response["Content-Disposition"].split('filename="')[1].rstrip('"')
    return filename, list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def fresh_client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return fresh_auth(client, user)


def rename(person, name: str):
    User.objects.filter(pk=person.pk).update(full_name=name)
    person.refresh_from_db()


@pytest.fixture
def published(org):
    from tests.acknowledgements.conftest import policy_make, publish, version_make

    return publish(version_make(policy_make()))


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_that_a_spreadsheet_would_run_starts_with_an_apostrophe(text):
    assert cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Ann O'Neil", "a=b", "", 5, -3])
def test_other_cells_are_written_as_they_are(value):
    assert cell(value) == value


def test_a_csv_file_starts_with_a_byte_order_mark_and_its_heading_row():
    assert csv_bytes([["x"]], ["Name"]).decode("utf-8") == "\ufeffName\r\nx\r\n"


def test_the_case_register_exports_a_formula_name_as_text(org):
    from breaches import services

    rename(org.principal, FORMULA)
    services.report_submit(reporter=org.staff, data={
        "concerned": org.colleague, "platform": "facebook", "seen_at": timezone.now(),
        "description": "A post mocking a pupil by name.",
        "links": "https://www.facebook.com/example/posts/1"})
    filename, rows = download(fresh_client(org.hr).get(reverse("breaches:case_export")))
    assert filename == "case-register.csv"
    assert rows[0] == ["Reference", "Reported", "Academy", "Platform", "State", "Safeguarding",
                       "Severity", "Handler", "Due", "Outcome", "Clauses breached", "Appeal",
                       "Outcome in force", "Closed", "Retention until", "Legal hold"]
    assert rows[1][7] == NEUTRALISED


def test_the_audit_pack_roster_export_writes_a_formula_name_as_text(client_as, org, published):
    from acknowledgements.services import assignments_sync

    rename(org.staff, FORMULA)
    assignments_sync()
    response = client_as("hr").get(reverse("auditpacks:export_roster",
                                           args=[published.pk, "csv"]))
    filename, rows = download(response)
    assert filename == (f"roster-{published.policy.slug}-{published.label}-"
                        f"{timezone.localdate():%Y-%m-%d}.csv")
    assert rows[0] == ["Name", "Academy", "Category", "Acknowledged at", "Method", "Status"]
    assert NEUTRALISED in [row[0] for row in rows[1:]]


def test_the_approvals_register_writes_a_formula_name_as_text(client_as, org):
    from tests.approvals.conftest import decide, make_exception

    rename(org.staff, FORMULA)
    decide(make_exception(org.staff), org.manager)
    filename, rows = download(client_as("hr").get(reverse("approvals:register") + "?format=csv"))
    assert filename == f"approvals-register-{timezone.localdate():%Y-%m-%d}.csv"
    assert rows[0] == ["Reference", "Type", "Clause", "Title", "Person", "Academy", "About",
                       "Decided by", "Decided on", "Conditions", "From", "Until", "Status"]
    assert rows[1][4] == NEUTRALISED


def test_the_compliance_list_writes_a_formula_name_as_text(client_as, org, published):
    from acknowledgements.services import assignments_sync

    rename(org.staff, FORMULA)
    assignments_sync()
    filename, rows = download(client_as("hr").get(reverse("acknowledgements:trust")
                                                  + "?format=csv"))
    assert filename == (f"acknowledgements-trust-{published.policy.slug}-{published.label}-"
                        f"{timezone.localdate()}.csv")
    assert rows[0] == ["Name", "Email", "Academy", "Category", "Job title", "Line manager",
                       "Asked on", "Due by", "Status", "Acknowledged at", "How",
                       "Version acknowledged"]
    assert NEUTRALISED in [row[0] for row in rows[1:]]


def test_a_persons_history_writes_a_formula_policy_title_as_text(client_as, org, published):
    from acknowledgements.services import assignments_sync

    published.policy.__class__.objects.filter(pk=published.policy_id).update(title=FORMULA)
    assignments_sync()
    url = reverse("acknowledgements:person_history", args=[org.staff.pk]) + "?format=csv"
    filename, rows = download(client_as("hr").get(url))
    assert filename == f"history-{org.staff.pk}.csv"
    assert rows[0] == ["Policy", "Version", "Asked on", "Due by", "Status", "Acknowledged at",
                       "How", "Content hash", "Record"]
    assert rows[1][0] == NEUTRALISED
