"""Two review cycles of the Social Media Policy, end to end, across time.

2023-09: version 1 imported, consulted, approved, ratified and published; everyone asked and
(nearly) everyone acknowledges; a joiner is asked, a leaver drops out. 2025-09: the policy is
overdue; the trust's revision (tests/data/) is imported as version 2, taken through every step
with its dates, published as a material change with the Northfield addendum carried and the
questions remapped; only current people are asked again. 2026-02: a minor correction is
published; nobody is asked again. At each step the redline, the review board, both versions'
audit packs (which verify) and the compliance dashboards tell the same story.
"""

import datetime
import re
from pathlib import Path

import time_machine
from django.urls import reverse

from acknowledgements.models import Assignment, Question
from acknowledgements.selectors import compliance_summary
from acknowledgements.services import acknowledgement_record, assignments_sync
from auditpacks.services import pack_verify
from policies import selectors, services
from policies.models import AcademyAddendum, PolicyVersion
from tests.auditpacks.conftest import build_policy_pack, pdf_text
from tests.factories import person_make

S = PolicyVersion.Status
A = AcademyAddendum.Status
DATA = Path(__file__).resolve().parents[1] / "data"
SEED = Path(__file__).resolve().parents[2] / "policies/seed/social-media-policy-2023.txt"
NORTHFIELD = "Designated Safeguarding Lead: the Principal. Report concerns through CPOMS."


def at(day: str):
    return time_machine.travel(f"{day} 10:00 +00:00", tick=False)


def step(version, to, actor, **details):
    return services.version_transition(version=version, to_status=to, actor=actor,
                                       reason=f"{to} as minuted", **details)


def acknowledge(person, version):
    assignment = Assignment.objects.get(person=person, version=version)
    return acknowledgement_record(assignment=assignment, method="portal", check_reading=False)


def asked(version) -> set[str]:
    return set(Assignment.objects.filter(version=version).current_people()
               .values_list("person__full_name", flat=True))


def board_row(client, title="Social Media Policy") -> tuple[str, str]:
    """(section the policy is in, its row) on the review board page."""
    html = client.get(reverse("policies:review_board")).content.decode()
    for key, body in re.findall(r'id="board-(\w+)">.*?</h2>(.*?)</section>', html, re.S):
        row = next((r for r in body.split("<tr>") if title in r), None)
        if row:
            return key, re.sub(r"<[^>]+>", " ", row)
    return "", ""


def pack_checks(org, version) -> str:
    pack = build_policy_pack(org.hr, version)
    data = pack.file_path.read_bytes()
    result = pack_verify(data=data, actor=org.hr)
    assert result.ok, result.problems
    return re.sub(r"\s+", " ", pdf_text(data))


def dashboard(client, version) -> str:
    html = client.get(reverse("acknowledgements:trust"), {"version": version.pk}
                      ).content.decode()
    return re.search(r'<p class="lead">(.*?)</p>', html, re.S).group(1)


def test_two_review_cycles_of_the_social_media_policy(org, client_as):
    hr, ceo = client_as("hr"), client_as("ceo")
    everyone = {p.full_name for p in [org.ceo, org.hr, org.admin, org.board, org.principal,
                                      org.other_principal, org.manager, org.staff,
                                      org.colleague, org.outsider]}

    # ------------------------------------------------------------------ cycle 1: 2023
    with at("2023-09-15"):
        v1 = services.policy_import(text=SEED.read_text(), title="Social Media Policy",
                                    actor=org.hr).version
        v1 = step(v1, S.CONSULTATION, org.hr, on="2023-09-04", bodies="JNC")
        v1 = step(v1, S.AWAITING_APPROVAL, org.hr, on="2023-09-11", comments="None")
        v1 = step(v1, S.APPROVED, org.ceo, on="2023-09-12")
        v1 = step(v1, S.RATIFIED, org.hr, ratified_on="2023-09-14", meeting="LGB 2023/4")
        addendum = services.addendum_save(version=v1, academy=org.academy, text=NORTHFIELD,
                                          actor=org.principal)
        services.addendum_transition(addendum=addendum, to_status=A.SUBMITTED,
                                     actor=org.principal)
        services.addendum_transition(addendum=addendum, to_status=A.APPROVED, actor=org.ceo)
        questions = {number: Question.objects.create(
            version=v1, order=i, text=f"About {number}?", choices=["Yes", "No"],
            correct_choice=0, clause=v1.clauses.get(number=number))
            for i, number in enumerate(["11.1", "7.2", "2.1", "5.1 i)"], start=1)}
        v1 = services.version_publish(version=v1, actor=org.hr, change_kind="material",
                                      change_summary="The trust's Social Media Policy.",
                                      on="2023-09-15")
        assert asked(v1) == everyone
        policy = v1.policy
        policy.refresh_from_db()
        assert (policy.last_reviewed_on, policy.next_review_due) == (
            datetime.date(2023, 9, 1), datetime.date(2025, 9, 1))
        for person in [org.ceo, org.hr, org.principal, org.other_principal, org.manager,
                       org.staff, org.colleague]:
            acknowledge(person, v1)
        assert compliance_summary(v1)["done"] == 7
        assert "70.0% of the whole trust acknowledged" in dashboard(hr, v1)

    # A joiner is asked from their start date; a leaver drops out of the figures.
    with at("2024-01-08"):
        joiner = person_make(academy=org.academy, name="New Joiner", line_manager=org.manager,
                             start_date=datetime.date(2024, 1, 8))
        assert assignments_sync() == 1
        acknowledge(joiner, v1)
        org.colleague.leaving_date = datetime.date(2024, 7, 31)
        org.colleague.save()
    with at("2024-09-02"):
        summary = compliance_summary(v1)
        assert (summary["total"], summary["done"]) == (10, 7)
        assert board_row(hr)[0] == "later"

    # ------------------------------------------------------------------ cycle 2: 2025
    with at("2025-09-15"):
        section, row = board_row(hr)
        assert section == "overdue" and "clause 11.1 of version 2023-09" in row
        v2 = services.policy_import(text=(DATA / "social-media-policy-2025-revision.txt")
                                    .read_text(), title="Social Media Policy",
                                    actor=org.hr).version
        policy.refresh_from_db()
        assert policy.next_review_due == datetime.date(2025, 9, 1)  # a draft moves nothing
        assert policy.reviews.count() == 1
        assert board_row(hr)[0] == "overdue"
        # The redline: renumbered review clause, new 5.1 items, new section, cover dates.
        redline = hr.get(reverse("policies:version_redline", args=[policy.slug]),
                         {"old": v1.label, "new": v2.label}).content.decode()
        assert "6 added, 0 removed, 3 moved or renumbered" in redline
        assert "Next review due by" in redline and "<ins>2027</ins>" in redline
        # Carried: the Northfield addendum as a draft; questions by clause identity.
        carried = v2.addenda.get()
        assert (carried.academy, carried.status, carried.text) == (org.academy, A.DRAFT,
                                                                   NORTHFIELD)
        by_source = {q.carried_from_id: q for q in v2.ack_questions.select_related("clause")}
        assert by_source[questions["11.1"].pk].clause.number == "12.1"
        assert by_source[questions["5.1 i)"].pk].clause.number == "5.1 k)"
        flagged = by_source[questions["7.2"].pk]
        assert "changed" in flagged.review_note

    with at("2025-10-10"):
        v2 = step(v2, S.CONSULTATION, org.hr, on="2025-09-16", bodies="JNC: NEU, UNISON")
        v2 = step(v2, S.AWAITING_APPROVAL, org.hr, on="2025-10-09", comments="Agreed")
    with at("2025-10-14"):
        v2 = step(v2, S.APPROVED, org.ceo, on="2025-10-14")
    with at("2025-11-13"):
        v2 = step(v2, S.RATIFIED, org.hr, ratified_on="2025-11-12", meeting="minute 7")
        services.addendum_transition(addendum=carried, to_status=A.SUBMITTED,
                                     actor=org.principal)
        services.addendum_transition(addendum=carried, to_status=A.APPROVED, actor=org.ceo)
        hr.post(reverse("acknowledgements:question_edit", args=[flagged.pk]), {
            "text": "Who agrees monitoring with the IT provider?", "choices": "Managers\nIT",
            "correct": "1", "clause": flagged.clause_id, "order": flagged.order})
        publish_page = hr.get(reverse("policies:version_transition", args=[
            policy.slug, v2.label, S.PUBLISHED])).content.decode()
        assert "No approved addendum for this version: Riverside Secondary Academy" in \
            publish_page

    with at("2025-11-20"):
        v2 = services.version_publish(version=v2, actor=org.hr, change_kind="material",
                                      change_summary="Two-year review: AI, platforms, UK GDPR.")
        v1.refresh_from_db()
        assert (v1.status, v2.status) == (S.SUPERSEDED, S.PUBLISHED)
        # Only current people are asked again (not the leaver); nothing is carried.
        assert asked(v2) == (everyone - {"Staff Colleague"}) | {"New Joiner"}
        assert not Assignment.objects.filter(version=v2, source="carried").exists()
        assert compliance_summary(v2)["done"] == 0
        assert "0.0% of the whole trust acknowledged" in dashboard(hr, v2)
        policy.refresh_from_db()
        assert (policy.last_reviewed_on, policy.next_review_due) == (
            datetime.date(2025, 9, 1), datetime.date(2027, 9, 1))
        section, row = board_row(hr)
        assert section == "later" and "clause 12.1 of version 2025-10" in row
        for person in [org.staff, joiner, org.principal]:
            acknowledge(person, v2)
        assert compliance_summary(v2)["done"] == 3
        assert "30.0% of the whole trust acknowledged" in dashboard(ceo, v2)
        assert compliance_summary(v1)["done"] == 7  # version 1: unchanged (current people)
        # Both packs verify and tell the same story.
        text_v2 = pack_checks(org, v2)
        assert "12 November 2025 Meeting / minute reference: minute 7" in text_v2
        assert "16 September 2025 to 9 October 2025" in text_v2
        assert "compared with version 2023-09" in text_v2
        assert "Next review due 1 September 2027" in text_v2
        text_v1 = pack_checks(org, v1)
        assert "14 September 2023 Meeting / minute reference: LGB 2023/4" in text_v1
        assert "2023-09 (this pack) Superseded" in text_v1
        # Staff of Northfield read the confirmed addendum with version 2.
        assert selectors.version_text_for(v2, org.academy).addendum.text == NORTHFIELD

    # ------------------------------------------------------------------ a minor change: 2026
    with at("2026-02-02"):
        v3 = services.version_new_draft(policy=policy, actor=org.hr, label="2026-02")
        clause = v3.clauses.get(number="1.3")
        services.clause_update(clause=clause, number="1.3", text=clause.text.replace(
            "adversary impact", "adverse impact"), actor=org.hr)
        v3 = step(v3, S.AWAITING_APPROVAL, org.hr)
        v3 = step(v3, S.APPROVED, org.ceo)
        v3 = step(v3, S.RATIFIED, org.hr, ratified_on="2026-02-02")
        redline = hr.get(reverse("policies:version_redline", args=[policy.slug]),
                         {"old": v2.label, "new": v3.label}).content.decode()
        assert "1 changed, 0 added, 0 removed, 0 moved" in redline
        assert "<del>adversary</del><ins>adverse</ins>" in redline
        v3 = services.version_publish(version=v3, actor=org.hr, change_kind="minor",
                                      change_summary="Typo in 1.3.")
        # Nobody is asked again: the acknowledgements of version 2 carry over.
        assert set(Assignment.objects.filter(version=v3).values_list("source", flat=True)) == {
            "carried"}
        assert compliance_summary(v3)["done"] == 3
        policy.refresh_from_db()
        assert policy.next_review_due == datetime.date(2027, 9, 1)  # not a review
        assert policy.reviews.count() == 2
        text_v3 = pack_checks(org, v3)
        assert "compared with version 2025-10" in text_v3
        assert v3.ack_questions.count() == 4  # the questions came along again
