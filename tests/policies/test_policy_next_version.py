"""The next version of a policy: its cover sheet, carried questions, clause references that
come from the version they are about, and messages that keep names' case."""

from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from acknowledgements.models import Question
from policies import selectors, services
from policies.models import PolicyImmutable, PolicyVersion
from tests.policies.conftest import walk

S = PolicyVersion.Status
REVISION = Path(__file__).resolve().parents[1] / "data/social-media-policy-2025-revision.txt"


@pytest.fixture
def revision_text() -> str:
    return REVISION.read_text()


@pytest.fixture
def next_draft(org, published, revision_text):
    return services.policy_import(text=revision_text, title="Social Media Policy",
                                  actor=org.hr).version


def _question(version, number, text="Question?"):
    return Question.objects.create(version=version, text=text, choices=["Yes", "No"],
                                   correct_choice=0, clause=version.clauses.get(number=number))


# --------------------------------------------------------------------------- 3: cover sheet


def test_the_cover_sheet_of_the_revision_is_read_into_the_version(next_draft):
    cover = next_draft.cover
    assert (cover["ceo_approval_by"], cover["ceo_approval_date"]) == ("Sean Kelly",
                                                                      "October 2025")
    assert cover["consultation_body"] == "Joint Negotiating Council (JNC)"
    assert cover["lgb_ratification"] == "North Cluster LGB, 12 November 2025 (minute 7)"
    assert (cover["last_reviewed"], cover["next_review_due"]) == ("2025-09-01", "2027-09-01")


def test_hr_edits_the_cover_sheet_of_a_draft_from_its_page(client_as, org, next_draft):
    url = reverse("policies:cover_edit", args=[next_draft.policy.slug, next_draft.label])
    page = client_as("hr").get(url).content.decode()
    assert 'value="October 2025"' in page
    response = client_as("hr").post(url, {
        "ceo_approval_by": "Sean Kelly", "ceo_approval_date": "14 October 2025",
        "consultation_body": "JNC: NEU, UNISON, NASUWT", "jnc_consultation": "September 2025",
        "lgb_ratification": "North Cluster LGB, 12 November 2025", "last_reviewed":
        "September 2025", "next_review_due": "October 2027"})
    assert response.status_code == 302
    next_draft.refresh_from_db()
    assert next_draft.cover["next_review_due"] == "2027-10-01"
    assert next_draft.cover["ceo_approval_month"] == "2025-10-14"
    assert next_draft.cover["consultation_body"] == "JNC: NEU, UNISON, NASUWT"


def test_a_cover_date_that_is_not_a_date_is_refused_and_nothing_changes(client_as, next_draft):
    url = reverse("policies:cover_edit", args=[next_draft.policy.slug, next_draft.label])
    response = client_as("hr").post(url, {"next_review_due": "soonish"})
    assert "is not a date" in response.content.decode()
    next_draft.refresh_from_db()
    assert next_draft.cover["next_review_due"] == "2027-09-01"


@pytest.mark.parametrize("role", ["staff", "principal", "board"])
def test_only_the_policy_managers_may_edit_a_cover_sheet(client_as, next_draft, role):
    url = reverse("policies:cover_edit", args=[next_draft.policy.slug, next_draft.label])
    assert client_as(role).get(url).status_code in (403, 404)


def test_the_cover_sheet_of_a_published_version_cannot_change(org, published):
    with pytest.raises(PolicyImmutable):
        services.version_cover_update(version=published, values={"last_reviewed": "May 2024"},
                                      actor=org.hr)


def test_the_redline_shows_the_cover_sheet_changes(client_as, published, next_draft):
    url = reverse("policies:version_redline", args=[published.policy.slug])
    html = client_as("hr").get(url, {"old": published.label, "new": next_draft.label}
                               ).content.decode()
    cover = html.split("<h2>Cover sheet</h2>")[1].split("<h2>Clauses</h2>")[0]
    assert "Last reviewed on" in cover and "Next review due by" in cover
    assert "<del>2023</del><ins>2025</ins>" in cover.replace("September ", "")
    assert "LGB Cluster ratification" in cover and "<ins>North Cluster LGB" in cover
    assert "Consulted with" not in cover  # unchanged fields are left out


# --------------------------------------------------------------------------- 6: questions


def test_questions_follow_their_clause_by_identity_not_number(org, published, revision_text):
    review = _question(published, "11.1", "How often is the policy reviewed?")
    monitoring = _question(published, "7.2", "Who agrees monitoring?")
    covered = _question(published, "2.1", "Who is covered?")
    lettered = _question(published, "5.1 i)", "Which laws?")
    draft = services.policy_import(text=revision_text, title="Social Media Policy",
                                   actor=org.hr).version
    carried = {q.carried_from_id: q for q in Question.objects.filter(version=draft)
               .select_related("clause")}
    assert carried[review.pk].clause.number == "12.1" and carried[review.pk].review_note == ""
    assert carried[covered.pk].clause.number == "2.1" and carried[covered.pk].review_note == ""
    assert carried[lettered.pk].clause.number == "5.1 k)"
    assert carried[monitoring.pk].clause.number == "7.2"
    assert "its clause 7.2 changed" in carried[monitoring.pk].review_note
    assert draft.clauses.get(number="11.1").text.startswith("Do not use artificial")


def test_a_question_whose_clause_is_removed_in_the_draft_is_flagged_and_not_asked(
        org, published):
    question = _question(published, "7.5")
    draft = services.version_new_draft(policy=published.policy, actor=org.hr)
    services.clause_remove(clause=draft.clauses.get(number="7.5"), actor=org.hr)
    services.clause_update(clause=draft.clauses.get(number="2.2"), number="2.2",
                           text="Third parties must comply too.", actor=org.hr)
    copy = Question.objects.get(version=draft, carried_from=question)
    assert copy.clause is None and "its clause 7.5 was removed" in copy.review_note
    walk(draft, org, S.PUBLISHED)
    from acknowledgements.services import questions_of

    assert questions_of(draft, []) == []


def test_hr_sees_the_questions_to_check_on_the_record_page(client_as, org, published,
                                                            revision_text):
    _question(published, "7.2", "Who agrees monitoring?")
    draft = services.policy_import(text=revision_text, title="Social Media Policy",
                                   actor=org.hr).version
    html = client_as("hr").get(reverse("policies:version_record", args=[
        draft.policy.slug, draft.label])).content.decode()
    assert "1 question to check" in html and "its clause 7.2 changed" in html


def test_saving_a_flagged_question_clears_the_flag_and_staff_are_asked_it(
        client_as, org, published, revision_text):
    _question(published, "7.2", "Who agrees monitoring?")
    draft = services.policy_import(text=revision_text, title="Social Media Policy",
                                   actor=org.hr).version
    copy = Question.objects.get(version=draft)
    client_as("hr").post(reverse("acknowledgements:question_edit", args=[copy.pk]), {
        "text": "Who agrees monitoring with the IT provider?", "choices": "Line managers\nIT",
        "correct": "1", "clause": copy.clause_id, "order": "1"})
    copy.refresh_from_db()
    assert copy.review_note == ""


# --------------------------------------------------------------------------- 7: clause refs


def test_the_review_clause_is_found_in_each_version_by_what_it_says(published, next_draft):
    assert selectors.review_clause(published).number == "11.1"
    assert selectors.review_clause(next_draft).number == "12.1"


def test_pages_name_the_review_clause_of_the_current_version(client_as, org, next_draft):
    walk(next_draft, org, S.PUBLISHED)
    slug = next_draft.policy.slug
    board = client_as("hr").get(reverse("policies:review_board")).content.decode()
    assert "clause 12.1 of version 2025-10" in board and "11.1" not in board
    review = client_as("hr").get(reverse("policies:review_record", args=[slug])).content.decode()
    assert "Clause 12.1 of version 2025-10" in review and "11.1" not in review
    settings = client_as("hr").get(reverse("policies:policy_settings", args=[slug])
                                   ).content.decode()
    assert "Clause 12.1 of version 2025-10 says" in settings and "11.1" not in settings
    stats = client_as("hr").get(reverse("breaches:statistics")).content.decode()
    assert "clause 12.1 of version 2025-10" in stats and "11.1" not in stats


# --------------------------------------------------------------------------- 8: names' case


def test_messages_keep_the_case_of_names(client_as, org, imported):
    version = imported.version
    client = client_as("hr")
    url = reverse("policies:version_transition", args=[version.policy.slug, version.label,
                                                       S.CONSULTATION])
    response = client.post(url, {"reason": "Start", "bodies": "JNC"}, follow=True)
    html = response.content.decode()
    assert "is now in consultation (JNC / trade unions)" in html
    services.version_transition(version=version, to_status=S.AWAITING_APPROVAL, actor=org.hr,
                                reason="Consulted")
    url = reverse("policies:version_transition", args=[version.policy.slug, version.label,
                                                       S.APPROVED])
    html = client_as("ceo").post(url, {"reason": "Fine"}, follow=True).content.decode()
    assert "is now approved by the CEO" in html and "ceo." not in html
    url = reverse("policies:version_transition", args=[version.policy.slug, version.label,
                                                       S.RATIFIED])
    html = client.post(url, {"reason": "Minuted", "ratified_on": "2023-09-20"},
                       follow=True).content.decode()
    assert "is now ratified by the LGB Cluster" in html
    with pytest.raises(services.TransitionNotAllowed, match="ratified by the LGB Cluster"):
        services.version_transition(version=version, to_status=S.APPROVED, actor=org.ceo,
                                    reason="Again")


@time_machine.travel("2026-12-06 09:00 +00:00")
def test_the_demo_published_version_carries_its_real_history(db):
    from accounts import demo as accounts_demo
    from policies import demo

    accounts_demo.seed()
    demo.seed()
    version = PolicyVersion.objects.get(status=S.PUBLISHED)
    assert version.published_at.date().isoformat() == "2023-09-01"
    assert version.approved_at.date().isoformat() == "2023-09-01"
    draft = PolicyVersion.objects.get(status=S.DRAFT)
    assert draft.addenda.get().status == "draft"  # carried for the Principal to confirm
