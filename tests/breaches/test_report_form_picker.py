"""The report form's person picker (issue 15, defect 7): its search never names a selector
that can match nothing, and the count it states is the count it lists as matches."""

import re

from django.urls import reverse

from accounts.models import Role, User


def test_the_search_includes_the_picker_itself_not_a_checked_radio_that_may_not_exist(
        client_as):
    html = client_as("staff").get(reverse("breaches:report_new")).content.decode()
    box = re.search(r'<input type="search"[^>]*id="id_concerned"[^>]*>', html, re.S).group(0)
    assert 'hx-include="closest [data-person-picker]"' in box
    assert ":checked" not in box
    assert 'id="id_concerned_picker" data-person-picker' in html


def test_a_kept_choice_is_not_counted_as_a_match(client_as, org):
    helen = User.objects.create(email="helen.a@trust.test", full_name="Helen Ashby",
                                academy=org.academy, role=Role.STAFF)
    response = client_as("staff").get(reverse("accounts:person_search", args=["concerned"]), {
        "q": "Helen", "name": "concerned", "id": "id_concerned",
        "concerned": org.colleague.pk})  # chosen earlier, not a Helen
    text = " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())
    listed = re.findall(r'name="concerned" value="(\d+)"', response.content.decode())
    assert listed == [str(org.colleague.pk), str(helen.pk)]
    assert "1 person matches “Helen”. Your current choice is listed first; it is not one of "\
           "the matches." in text
    assert "Staff Colleague" in text and "(current choice)" in text
