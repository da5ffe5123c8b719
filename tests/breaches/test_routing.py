import pytest

from accounts.models import Role
from breaches import services
from breaches.models import Case
from notifications.models import Notification
from tests.factories import person_make


def test_a_report_about_a_teacher_goes_to_the_principal_of_their_academy(org, make_case):
    case = make_case(concerned="colleague")
    assert case.receiver == org.principal
    assert case.handler == org.principal
    assert case.academy == org.academy


def test_a_report_about_a_principal_goes_to_the_ceo(org, make_case):
    case = make_case(reporter=org.staff, concerned="principal")
    assert case.receiver == org.ceo
    assert case.academy == org.academy


def test_the_principal_concerned_never_sees_a_report_about_them(org, make_case):
    case = make_case(reporter=org.staff, concerned="principal")
    from breaches.access import cases_visible_to

    assert not cases_visible_to(org.principal).filter(pk=case.pk).exists()


def test_a_report_about_someone_in_the_central_team_goes_to_the_ceo(org, make_case):
    case = make_case(reporter=org.staff, concerned="hr")
    assert case.receiver == org.ceo


def test_a_report_about_the_ceo_goes_to_hr_and_never_to_the_ceo(org, make_case):
    case = make_case(reporter=org.staff, concerned="ceo")
    assert case.receiver == org.hr
    assert case.handler != org.ceo


def test_a_reporter_may_choose_the_ceo_and_the_principal_then_cannot_see_it(org, make_case):
    from breaches.access import cases_visible_to

    case = make_case(concerned="colleague", route_to_ceo=True)
    assert case.receiver == org.ceo
    assert not cases_visible_to(org.principal).filter(pk=case.pk).exists()


def test_an_unknown_person_goes_to_the_principal_of_the_academy_chosen(org, make_case):
    case = make_case(concerned=None, concerned_description="@anon_account",
                     academy=org.other)
    assert case.receiver == org.other_principal
    assert case.concerned_unknown


def test_an_academy_without_a_principal_sends_reports_to_the_ceo(org, make_case):
    from tests.factories import academy_make

    empty = academy_make("Hillcrest Academy")
    teacher = person_make(academy=empty)
    case = make_case(concerned=teacher)
    assert case.receiver == org.ceo


def test_the_receiver_is_told_at_once(org, make_case):
    case = make_case(concerned="colleague")
    note = Notification.objects.get(recipient=org.principal, kind="breaches.report_received")
    assert case.reference in note.title
    assert note.url.endswith(f"/reports/cases/{case.pk}/")


def test_a_new_report_is_an_urgent_notification_emailed_at_once(org, make_case):
    make_case(concerned="colleague")
    assert Notification.objects.get(recipient=org.principal).urgent


def test_a_person_cannot_report_themselves(org, make_case):
    with pytest.raises(services.CaseError):
        make_case(reporter=org.staff, concerned="staff")
    assert not Case.objects.exists()


def test_a_leaver_principal_is_not_the_receiver(org, make_case):
    import datetime

    org.principal.start_date = datetime.date(2020, 1, 1)
    org.principal.leaving_date = datetime.date(2021, 1, 1)
    org.principal.save()
    new = person_make(role=Role.PRINCIPAL, academy=org.academy, name="New Principal")
    case = make_case(concerned="colleague")
    assert case.receiver == new


def test_references_keep_counting_past_9999(org, make_case):
    from django.utils import timezone

    year = timezone.localdate().year
    first = make_case()
    Case.objects.filter(pk=first.pk).update(reference=f"R-{year}-9999")
    assert make_case().reference == f"R-{year}-10000"
    assert make_case().reference == f"R-{year}-10001"


def _sent_page(client_as, org, concerned, **extra):
    from django.urls import reverse

    client = client_as("staff")
    response = client.post(reverse("breaches:report_new"), {
        "concerned_kind": "person", "concerned": concerned.pk, "platform": "facebook",
        "seen_at": "2026-11-20T18:30", "description": "A post.", "identity": "named",
        "action": "submit", **extra}, follow=True)
    return " ".join(response.content.decode().split())


def test_the_confirmation_of_a_report_about_the_ceo_says_it_went_to_hr(client_as, org):
    page = _sent_page(client_as, org, org.ceo)
    assert "passed to HR, who involve the Chair of the Trust Board" in page
    assert "Principal" not in page.split("Report sent")[1].split("Back to reports")[0]


def test_the_confirmation_of_a_report_about_a_principal_says_it_went_to_the_ceo(
        client_as, org):
    assert "passed to the CEO" in _sent_page(client_as, org, org.principal)


def test_the_confirmation_of_a_report_about_a_colleague_names_the_academy_principal(
        client_as, org):
    page = _sent_page(client_as, org, org.colleague)
    assert "passed to the Principal of Northfield Primary Academy" in page
