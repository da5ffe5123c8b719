"""Registers of what is in force; the monitoring register is for HR and the CEO only."""

import csv
import io

import pytest
from django.urls import reverse

from approvals.selectors import in_force_summary
from tests.approvals.conftest import (
    decide,
    make_exception,
    make_monitoring,
    make_permission,
    make_post,
)

NOT_ALLOWED = ["staff", "manager", "principal", "other_principal", "board", "admin", "outsider"]


@pytest.fixture
def monitoring(org):
    req = make_monitoring(org.manager, org.staff)
    decide(req, org.ceo)
    return req


@pytest.mark.parametrize("role", ["hr", "ceo"])
def test_hr_and_the_ceo_see_the_monitoring_register(client_as, monitoring, role):
    page = client_as(role).get(reverse("approvals:monitoring_register"))
    assert page.status_code == 200
    assert "Staff Member" in page.content.decode()


@pytest.mark.parametrize("role", NOT_ALLOWED)
def test_every_other_role_is_refused_the_monitoring_register(client_as, monitoring, role):
    assert client_as(role).get(reverse("approvals:monitoring_register")).status_code == 403
    csv_url = reverse("approvals:monitoring_register") + "?format=csv"
    assert client_as(role).get(csv_url).status_code == 403


@pytest.mark.parametrize("role", ["principal", "board", "other_principal", "outsider"])
def test_monitoring_requests_are_hidden_from_other_registers_and_pages(client_as, monitoring,
                                                                        role):
    assert client_as(role).get(
        reverse("approvals:detail", args=[monitoring.pk])).status_code == 404


def test_the_monitoring_register_exports_csv(client_as, monitoring):
    response = client_as("hr").get(reverse("approvals:monitoring_register") + "?format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Reference"
    assert rows[1][4] == "Line Manager" and rows[1][6] == "Staff Member"


def test_the_register_lists_exceptions_in_force_for_the_principal(client_as, org):
    req = make_exception(org.staff)
    decide(req, org.manager, "approve_with_conditions", conditions="Out of view.")
    page = client_as("principal").get(reverse("approvals:register")).content.decode()
    assert req.reference in page and "Out of view." in page
    assert req.reference not in client_as("other_principal").get(
        reverse("approvals:register")).content.decode()


def test_in_force_summary_counts_what_is_approved(org):
    decide(make_post(org.staff), org.ceo)
    decide(make_exception(org.staff), org.manager)
    decide(make_permission(org.staff, colleague=org.colleague), org.colleague)
    make_post(org.staff)  # still waiting
    summary = in_force_summary()
    assert summary["approved_posts"] == 1
    assert summary["exceptions"] == 1
    assert summary["permissions"] == 1
    assert summary["waiting_for_decision"] == 1


def test_the_calendar_shows_approved_posts_of_the_academy(client_as, org):
    from tests.approvals.conftest import soon

    req = make_post(org.staff, title="Harvest festival", publish_at=soon(2))
    decide(req, org.principal)
    month = soon(2).strftime("%Y-%m")
    page = client_as("ceo").get(reverse("approvals:calendar"),
                                {"academy": org.academy.code, "month": month})
    assert "Harvest festival" in page.content.decode()
    other = client_as("ceo").get(reverse("approvals:calendar"),
                                 {"academy": org.other.code, "month": month})
    assert "Harvest festival" not in other.content.decode()


def test_a_principal_cannot_open_another_academys_calendar(client_as, org):
    response = client_as("other_principal").get(reverse("approvals:calendar"),
                                                {"academy": org.academy.code})
    assert response.status_code == 404


def test_the_register_csv_lists_what_is_in_force_and_defuses_formulas(client_as, org):
    req = make_exception(org.staff)
    decide(req, org.manager, "approve_with_conditions", conditions="=HYPERLINK(\"x\")")
    response = client_as("hr").get(reverse("approvals:register") + "?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0] == req.reference
    assert rows[1][9] == "'=HYPERLINK(\"x\")"
