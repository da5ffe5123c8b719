"""The shared list of pending requests answers "is anything waiting for me?" exactly as the
database would (approvals.routing.is_decider_candidate mirrors decider_candidates)."""

import pytest

from accounts.models import Role
from approvals import routing
from approvals.models import ApprovalRequest, Kind
from tests.approvals.conftest import (
    make_exception,
    make_media,
    make_monitoring,
    make_permission,
    make_post,
)

PEOPLE = ["staff", "colleague", "manager", "principal", "other_principal", "ceo", "hr",
          "board", "outsider"]


@pytest.fixture
def one_of_each_kind(org):
    make_post(org.staff)
    make_media(org.colleague)
    make_permission(org.staff, colleague=org.colleague)
    make_permission(org.outsider, stakeholder="A parent")
    make_exception(org.staff, kind=Kind.DEVICE)
    make_exception(org.outsider, kind=Kind.PROFESSIONAL_USE)
    make_monitoring(org.principal, org.staff)


@pytest.mark.parametrize("name", PEOPLE)
@pytest.mark.parametrize("decider", [Role.CEO, Role.HR])
def test_the_shared_list_and_the_database_agree_on_who_may_decide(
        one_of_each_kind, org, name, decider, settings):
    settings.APPROVALS_MONITORING_DECIDER = decider
    person = getattr(org, name)
    pending = ApprovalRequest.objects.pending()
    in_database = set(pending.filter(routing.decider_candidates(person))
                      .values_list("pk", flat=True))
    rows = pending.values_list("pk", "kind", "subject_person_id", "requester__line_manager_id",
                               "academy_id")
    in_python = {pk for pk, *rest in rows if routing.is_decider_candidate(person, *rest)}
    assert in_python == in_database


def test_a_request_routed_to_me_shows_on_my_home_page_at_once(client_as, org):
    client = client_as("principal")
    assert "Waiting for my decision" not in client.get("/").content.decode()
    make_post(org.staff, title="Harvest festival")
    assert "Harvest festival" in client.get("/").content.decode()
