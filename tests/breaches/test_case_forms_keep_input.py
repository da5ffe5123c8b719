"""A case action that is refused or incomplete shows the case page again with the form as it was
sent, open, and says why: a long note or message is never lost."""

import pytest
from django.urls import reverse

from breaches import services
from breaches.models import CaseItem, State
from tests.breaches.conftest import text_of

NOTE = "Met the person concerned with their union representative; they agreed to remove the " \
       "post by Friday and apologised to the family of the pupil in writing."


@pytest.fixture
def in_triage(make_case, org, policy_version):
    return services.case_transition(case=make_case(), target=State.TRIAGE, actor=org.principal,
                                    data={"severity": "low", "safeguarding_confirmed": False})


def test_a_meeting_without_its_date_comes_back_with_the_notes_kept(team_client, in_triage):
    response = team_client("principal").post(
        reverse("breaches:case_item_add", args=[in_triage.pk]),
        {"kind": CaseItem.Kind.MEETING, "body": NOTE, "attendees": "Union rep"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Give the date and time of the meeting." in text_of(html)
    assert NOTE in html and 'value="Union rep"' in html
    assert '<details class="action" open><summary>Record a note, meeting or request' in html
    assert not in_triage.items.exists()


def test_an_incomplete_form_marks_the_field_and_keeps_the_rest(team_client, in_triage):
    response = team_client("principal").post(
        reverse("breaches:case_item_add", args=[in_triage.pk]),
        {"kind": CaseItem.Kind.NOTE, "body": "", "attendees": "Union rep"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was recorded: check the answers marked in the form below." in text_of(html)
    assert 'aria-invalid="true"' in html and 'value="Union rep"' in html


def test_a_message_that_cannot_be_sent_keeps_its_text(team_client, in_triage):
    response = team_client("principal").post(
        reverse("breaches:case_message", args=[in_triage.pk]),
        {"recipient": "concerned", "body": NOTE})
    html = response.content.decode()
    assert response.status_code == 400
    assert NOTE in html
    assert not in_triage.messages.exists()


def test_a_recorded_note_goes_back_to_the_case_with_a_blank_form(team_client, in_triage):
    response = team_client("principal").post(
        reverse("breaches:case_item_add", args=[in_triage.pk]),
        {"kind": CaseItem.Kind.NOTE, "body": NOTE}, follow=True)
    assert response.redirect_chain[-1][0].endswith("#work")
    html = response.content.decode()
    assert "Note recorded." in text_of(html)
    assert html.count(NOTE) == 1  # in the record, not left in the form
