"""Forms that pick one person send only the chosen person to the browser; the rest is found by
searching /people/search/<picker>/, which follows each form's own people and permission."""

import re

import pytest
from django.urls import reverse

from accounts.models import Role, User
from tests.factories import person_make

SEARCH = "accounts:person_search"


def _search(client, picker, q, **params):
    return client.get(reverse(SEARCH, args=[picker]), {"q": q, "name": picker,
                                                       "id": f"id_{picker}", **params})


def _radios(html: str) -> list[str]:
    return re.findall(r'<input type="radio" name="\w+" value="(\d*)"', html)


def _trust_of(org, count: int) -> None:
    User.objects.bulk_create([
        User(email=f"teacher{i}@trust.test", full_name=f"Teacher {i:04d}", job_title="Teacher",
             academy=org.academy, role=Role.STAFF)
        for i in range(count)
    ])


def _report(org, **extra):
    return {"concerned_kind": "person", "concerned": org.colleague.pk, "platform": "facebook",
            "links": "https://www.facebook.com/x/posts/1", "seen_at": "2026-11-20T18:30",
            "description": "A post about a pupil.", "identity": "named", "action": "submit",
            **extra}


def test_the_report_form_no_longer_lists_everyone_in_the_trust(client_as, org):
    _trust_of(org, 300)
    html = client_as("staff").get(reverse("breaches:report_new")).content.decode()
    assert "Teacher 0001" not in html and html.count("<option") < 40
    assert len(html) < 60_000
    assert 'type="search"' in html and 'hx-get="/people/search/concerned/' in html
    assert 'aria-live="polite"' in html


def test_the_search_box_is_labelled_with_the_fields_label(client_as, org):
    html = client_as("staff").get(reverse("breaches:report_new")).content.decode()
    assert re.search(r'<label for="id_concerned">Person concerned', html)
    assert re.search(r'<input type="search"[^>]*id="id_concerned"', html)


def test_search_finds_people_by_name_email_and_job_title(client_as, org):
    nurse = person_make(academy=org.academy, name="Orla Quinn", job_title="School Nurse",
                        email="o.quinn@trust.test")
    client = client_as("staff")
    for q in ("orla qu", "NURSE", "o.quinn@"):
        html = _search(client, "concerned", q).content.decode()
        assert _radios(html) == [str(nurse.pk)], q
        assert "Orla Quinn (School Nurse, Northfield Primary Academy)" in html


def test_search_shows_at_most_twenty_people_and_says_there_are_more(client_as, org):
    _trust_of(org, 30)
    html = _search(client_as("staff"), "concerned", "teacher").content.decode()
    assert len(_radios(html)) == 20
    assert "type more to narrow the list" in html


def test_search_needs_at_least_two_characters(client_as, org):
    html = _search(client_as("staff"), "concerned", "s").content.decode()
    assert _radios(html) == [] and "at least 2 letters" in html


def test_search_escapes_what_was_typed_and_what_it_finds(client_as, org):
    person_make(academy=org.academy, name="<b>Bold</b> Person")
    html = _search(client_as("staff"), "concerned", "<b>Bold").content.decode()
    assert "<b>" not in html and "&lt;b&gt;Bold&lt;/b&gt; Person" in html


def test_search_leaves_out_people_the_form_would_refuse(client_as, org):
    from datetime import date

    person_make(academy=org.academy, name="Left Already", leaving_date=date(2020, 1, 1))
    assert _radios(_search(client_as("staff"), "concerned", "left already").content.decode()) == []


def test_the_chosen_person_stays_checked_while_searching_for_someone_else(client_as, org):
    html = _search(client_as("staff"), "concerned", "nobody-like-this",
                   concerned=org.colleague.pk).content.decode()
    assert re.search(rf'value="{org.colleague.pk}" id="id_concerned_{org.colleague.pk}" checked',
                     html)


def test_a_person_outside_the_allowed_people_cannot_be_reported(client_as, org):
    from datetime import date

    from breaches.models import Case

    leaver = person_make(academy=org.academy, name="Gone Person", leaving_date=date(2020, 1, 1))
    response = client_as("staff").post(reverse("breaches:report_new"),
                                       _report(org, concerned=leaver.pk))
    assert response.status_code == 200 and not Case.objects.exists()
    assert "That person cannot be chosen here." in response.content.decode()


def test_the_chosen_person_is_kept_after_a_validation_error(client_as, org):
    response = client_as("staff").post(reverse("breaches:report_new"),
                                       _report(org, description=""))
    html = response.content.decode()
    assert response.status_code == 200 and "errorlist" in html
    assert re.search(rf'<input type="radio" name="concerned" value="{org.colleague.pk}" '
                     rf'id="id_concerned_{org.colleague.pk}" checked>', html)
    assert "Staff Colleague (Staff, Northfield Primary Academy)" in html


def test_hr_chooses_a_line_manager_by_searching(client_as, org):
    client = client_as("hr")
    html = client.get(reverse("accounts:person_edit", args=[org.staff.pk])).content.decode()
    assert f'value="{org.manager.pk}" id="id_line_manager_{org.manager.pk}" checked' in html
    assert 'value="" id="id_line_manager_none"' in html
    assert "Principal River" not in html  # everyone else is found by searching
    found = _search(client, "line_manager", "principal").content.decode()
    assert sorted(_radios(found)) == sorted([str(org.principal.pk),
                                             str(org.other_principal.pk)])


def test_hr_can_remove_a_line_manager(client_as, org):
    from tests.foundation.test_people_pages import person_data

    client_as("hr").post(reverse("accounts:person_edit", args=[org.staff.pk]), person_data(
        org, full_name=org.staff.full_name, email=org.staff.email, line_manager=""))
    org.staff.refresh_from_db()
    assert org.staff.line_manager is None


def test_a_line_manager_outside_the_trust_is_refused_with_a_clear_error(client_as, org):
    from datetime import date

    from tests.foundation.test_people_pages import person_data

    leaver = person_make(academy=org.academy, name="Old Manager", leaving_date=date(2020, 1, 1))
    response = client_as("hr").post(reverse("accounts:person_create"),
                                    person_data(org, line_manager=leaver.pk))
    assert response.status_code == 200
    assert "That person cannot be chosen here." in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in_before_searching(client, org):
    response = _search(client, "concerned", "staff")
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("account_login"))


@pytest.mark.parametrize("role", ["staff", "principal", "ceo", "board"])
def test_only_people_who_manage_people_may_search_for_a_line_manager(client_as, org, role):
    assert _search(client_as(role), "line_manager", "staff").status_code == 403


def test_an_unknown_picker_is_not_found(client_as, org):
    assert _search(client_as("hr"), "password", "staff").status_code == 404


def test_a_leaver_may_not_search(client_as, org):
    from datetime import date

    org.staff.leaving_date = date(2020, 1, 1)
    org.staff.save()
    assert _search(client_as("staff"), "concerned", "staff").status_code in (302, 403)


def _hits(client, picker, q) -> list[str]:
    return _radios(_search(client, picker, q).content.decode())


def test_a_principals_deputy_search_follows_the_delegation_form(client_as, org):
    client = client_as("principal")
    assert _hits(client, "deputy", "staff colleague") == [str(org.colleague.pk)]
    assert _hits(client, "deputy", "other staff") == []  # another academy: the form refuses
    assert _hits(client, "deputy", "human") == [str(org.hr.pk)]
    assert client_as("staff").get(reverse(SEARCH, args=["deputy"]), {"q": "hr"}
                                  ).status_code == 403


def test_monitoring_subjects_are_only_the_people_the_requester_may_monitor(client_as, org):
    assert _hits(client_as("manager"), "subject", "staff") == sorted(
        [str(org.colleague.pk), str(org.staff.pk)], key=lambda pk: pk != str(org.colleague.pk))
    assert _hits(client_as("manager"), "subject", "other staff") == []
    assert client_as("staff").get(reverse(SEARCH, args=["subject"]), {"q": "st"}
                                  ).status_code == 403


def test_a_colleague_asked_for_permission_is_anyone_who_signs_in_but_oneself(client_as, org):
    client = client_as("staff")
    assert _hits(client, "colleague", "staff member") == []
    assert _hits(client, "colleague", "staff colleague") == [str(org.colleague.pk)]


def test_the_delegation_and_request_pages_no_longer_list_everyone(client_as, org):
    _trust_of(org, 300)
    for role, url in (("ceo", reverse("approvals:delegations")),
                      ("staff", reverse("approvals:create", args=["permission"])),
                      ("manager", reverse("approvals:create", args=["monitoring"]))):
        html = client_as(role).get(url).content.decode()
        assert "Teacher 0001" not in html and 'type="search"' in html, url
