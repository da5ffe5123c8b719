"""Everything that reveals a case's content asks for a fresh sign-in, as the case page does
(issue 15, defect 8): the case pack request, the case pack's download and the case register
exports, here and under /reports/."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from auditpacks.models import Pack

STALE = datetime.timedelta(minutes=16)


def _asks_to_reauthenticate(response) -> bool:
    return response.status_code == 302 and "/accounts/reauthenticate/" in response["Location"]


def test_asking_for_a_case_pack_needs_a_recent_sign_in(fresh_client_as, case):
    client = fresh_client_as("hr")
    with time_machine.travel(STALE):
        response = client.post(reverse("auditpacks:case_pack", args=[case.pk]))
    assert _asks_to_reauthenticate(response)
    assert not Pack.objects.exists()


def test_downloading_a_case_pack_needs_a_recent_sign_in(fresh_client_as, case, org):
    from tests.auditpacks.test_case_pack import build_case_pack

    pack = build_case_pack(org.hr, case)
    client = fresh_client_as("hr")
    with time_machine.travel(STALE):
        response = client.get(reverse("auditpacks:download", args=[pack.document_id]))
    assert _asks_to_reauthenticate(response)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exporting_the_case_register_needs_a_recent_sign_in(fresh_client_as, case, fmt):
    client = fresh_client_as("hr")
    with time_machine.travel(STALE):
        response = client.get(reverse("auditpacks:export_cases", args=[fmt]))
    assert _asks_to_reauthenticate(response)


def test_the_register_under_reports_needs_a_recent_sign_in(fresh_client_as, case):
    client = fresh_client_as("hr")
    with time_machine.travel(STALE):
        response = client.get(reverse("breaches:case_export"))
    assert _asks_to_reauthenticate(response)


def test_with_a_recent_sign_in_the_register_is_exported(fresh_client_as, case):
    response = fresh_client_as("hr").get(reverse("auditpacks:export_cases", args=["xlsx"]))
    assert response.status_code == 200


def test_someone_off_the_case_still_gets_404_not_a_sign_in_prompt(client_as, case):
    assert client_as("outsider").post(
        reverse("auditpacks:case_pack", args=[case.pk])).status_code == 404
