"""Each kind of request goes to the right people, and only they may decide it."""

import pytest

from approvals.models import Kind, Status, TwoStepRule
from approvals.routing import deciders_for
from approvals.selectors import waiting_for
from approvals.services import ApprovalError
from tests.approvals.conftest import (
    decide,
    make_exception,
    make_media,
    make_monitoring,
    make_permission,
    make_post,
)


def _may_decide(person, req) -> bool:
    return any(r.pk == req.pk for r, _ in waiting_for(person))


def test_a_post_goes_to_the_principal_of_the_academy_or_the_ceo(org):
    req = make_post(org.staff)
    assert {p.pk for p in deciders_for(req)} == {org.principal.pk, org.ceo.pk}


@pytest.mark.parametrize("role", ["manager", "other_principal", "hr", "board", "admin",
                                  "colleague"])
def test_nobody_else_may_decide_a_post(org, role):
    req = make_post(org.staff)
    person = getattr(org, role)
    assert not _may_decide(person, req)
    with pytest.raises(ApprovalError):
        decide(req, person)
    req.refresh_from_db()
    assert req.status == Status.PENDING


def test_a_principals_own_post_goes_to_the_ceo_alone(org):
    req = make_post(org.principal)
    assert [p.pk for p in deciders_for(req)] == [org.ceo.pk]


def test_a_two_step_rule_sends_the_post_to_the_principal_then_the_ceo(org):
    TwoStepRule.objects.create(academy=org.academy, created_by=org.ceo)
    req = make_post(org.staff)
    assert req.steps == 2
    assert [p.pk for p in deciders_for(req)] == [org.principal.pk]
    with pytest.raises(ApprovalError):
        decide(req, org.ceo)
    decide(req, org.principal, "approve_with_conditions", conditions="No surnames.")
    req.refresh_from_db()
    assert (req.status, req.step) == (Status.PENDING, 2)
    assert [p.pk for p in deciders_for(req)] == [org.ceo.pk]
    decide(req, org.ceo, "approve_with_conditions", conditions="Post after 9am.")
    req.refresh_from_db()
    assert req.status == Status.APPROVED
    assert req.conditions == "No surnames.\nPost after 9am."


def test_a_two_step_rule_can_name_one_account_only(org):
    TwoStepRule.objects.create(account="@TrustNews", created_by=org.ceo)
    assert make_post(org.staff, account="@trustnews").steps == 2
    assert make_post(org.staff, account="@NorthfieldPrimary").steps == 1


def test_a_media_enquiry_goes_to_the_principal_or_the_ceo(org):
    req = make_media(org.staff)
    assert {p.pk for p in deciders_for(req)} == {org.principal.pk, org.ceo.pk}
    assert not _may_decide(org.manager, req)


def test_a_media_enquiry_needs_the_approved_response_in_writing(org):
    req = make_media(org.staff)
    with pytest.raises(ApprovalError, match="approved response"):
        decide(req, org.principal)
    decide(req, org.principal, response="We do not comment on rumours.")
    req.refresh_from_db()
    assert req.approved_response == "We do not comment on rumours."


@pytest.mark.parametrize("kind", [Kind.DEVICE, Kind.PROFESSIONAL_USE])
def test_an_exception_goes_to_the_line_manager_or_the_principal(org, kind):
    req = make_exception(org.staff, kind=kind)
    assert {p.pk for p in deciders_for(req)} == {org.manager.pk, org.principal.pk}
    assert not _may_decide(org.ceo, req)
    assert not _may_decide(org.colleague, req)
    decide(req, org.manager, "approve_with_conditions", conditions="Out of pupils' view.")
    req.refresh_from_db()
    assert req.status == Status.APPROVED


def test_a_monitoring_request_goes_to_the_ceo(org):
    req = make_monitoring(org.manager, org.staff)
    assert [p.pk for p in deciders_for(req)] == [org.ceo.pk]
    for person in (org.principal, org.hr, org.staff):
        assert not _may_decide(person, req)


def test_monitoring_can_be_decided_by_hr_instead(org, settings):
    settings.APPROVALS_MONITORING_DECIDER = "hr"
    req = make_monitoring(org.manager, org.staff)
    assert [p.pk for p in deciders_for(req)] == [org.hr.pk]
    with pytest.raises(ApprovalError):
        decide(req, org.ceo)
    decide(req, org.hr)


def test_only_line_managers_may_ask_to_monitor_and_only_their_own_staff(org):
    with pytest.raises(ApprovalError):
        make_monitoring(org.staff, org.colleague)
    with pytest.raises(ApprovalError, match="only of staff you manage"):
        make_monitoring(org.manager, org.outsider)


def test_a_colleague_gives_their_own_permission_to_be_posted_about(org):
    req = make_permission(org.staff, colleague=org.colleague)
    assert [p.pk for p in deciders_for(req)] == [org.colleague.pk]
    with pytest.raises(ApprovalError):
        decide(req, org.principal)
    decide(req, org.colleague, reasons="Happy to be named.")
    req.refresh_from_db()
    assert req.status == Status.APPROVED


def test_a_stakeholders_written_permission_is_checked_by_the_principal_or_ceo(org):
    req = make_permission(org.staff, stakeholder="Ms Parent, PTA chair")
    assert {p.pk for p in deciders_for(req)} == {org.principal.pk, org.ceo.pk}
