import datetime

from django.urls import reverse
from django.utils import timezone

from acknowledgements.models import Assignment
from acknowledgements.selectors import (
    chain_head_hash,
    compliance_summary,
    roster_for_version,
)
from acknowledgements.services import acknowledgement_record
from tests.acknowledgements.conftest import publish, version_make


def test_the_chain_head_is_64_zeros_before_any_record(db):
    assert chain_head_hash() == "0" * 64


def test_the_roster_has_one_row_per_current_person_with_status_and_method(org, published):
    acknowledgement_record(assignment=Assignment.objects.get(person=org.staff, version=published),
                           method="portal", check_reading=False)
    Assignment.objects.filter(person=org.colleague).update(
        assigned_on=timezone.localdate() - datetime.timedelta(days=20),
        due_on=timezone.localdate() - datetime.timedelta(days=1))
    rows = {row["name"]: row for row in roster_for_version(published)}
    assert rows["Staff Member"]["status"] == "done"
    assert rows["Staff Member"]["method"] == "In the portal"
    assert rows["Staff Member"]["acknowledged_at"] is not None
    assert rows["Staff Colleague"]["status"] == "overdue"
    assert rows["Line Manager"]["status"] == "outstanding"
    assert rows["Staff Member"]["academy"] == "Northfield Primary Academy"
    assert rows["Staff Member"]["category"] == "Employee"


def test_the_roster_of_an_academy_holds_only_its_people(org, published):
    names = {row["name"] for row in roster_for_version(published, academy=org.other)}
    assert names == {"Principal River", "Other Staff"}


def test_the_summary_counts_done_outstanding_and_overdue(org, published):
    acknowledgement_record(assignment=Assignment.objects.get(person=org.staff, version=published),
                           method="portal", check_reading=False)
    summary = compliance_summary(published, academy=org.academy)
    assert (summary["total"], summary["done"], summary["outstanding"]) == (4, 1, 3)
    assert summary["percent"] == 25.0


def test_each_role_gets_the_compliance_link_it_may_use(client_as, org, published):
    def nav(role):
        return client_as(role).get(reverse("home")).content.decode()

    assert reverse("acknowledgements:trust") in nav("hr")
    assert reverse("acknowledgements:academy", args=[org.academy.code]) in nav("principal")
    assert reverse("acknowledgements:team") in nav("manager")
    assert reverse("acknowledgements:mine") in nav("staff")


def test_a_superseded_version_no_longer_waits_on_the_home_page(client_as, org, published):
    publish(version_make(published.policy, "2025-09", only_sections=2))
    page = client_as("staff").get(reverse("home")).content.decode()
    assert "version 2025-09" in page
    assert "version 2023-09" not in page
