"""Demo data: some staff have acknowledged, some are outstanding, some overdue. Idempotent."""

import datetime
import sys
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from acknowledgements.models import Acknowledgement, Assignment, Method, Question
from acknowledgements.services import acknowledgement_record, assignments_sync
from policies.models import Clause, Policy, PolicyVersion

SEED = Path(__file__).resolve().parents[1] / "policies" / "seed" / "social-media-policy-2023.txt"

ACKNOWLEDGED = ["ta.northfield@trust.example", "teacher.riverside@trust.example",
                "hr@trust.example", "ceo@trust.example", "principal.northfield@trust.example"]
ON_BEHALF = {"volunteer.northfield@trust.example": "manager.northfield@trust.example"}
OVERDUE = ["teacher.hillcrest@trust.example", "contractor.hillcrest@trust.example",
           "agency.riverside@trust.example"]

QUESTIONS = [
    ("Who does this policy cover?",
     ["Only teachers", "Employees, and also consultants, contractors, casual and agency staff "
      "and volunteers", "Only people who use social media at work"], 1, "2.1"),
    ("Which of these may you do on social media?",
     ["Accept a current pupil as a friend", "Share a photo of pupils without consent",
      "Keep your personal accounts private and professional"], 2, "10"),
    ("Who should you report misuse of social media to?",
     ["The Principal or the CEO", "Nobody", "A parent group on Facebook"], 0, "4.3"),
]


def _write(stdout, text: str) -> None:
    (stdout or sys.stdout).write(text + "\n")


def _fallback_policy(stdout) -> PolicyVersion | None:
    """Only when the policy library seeded nothing at all: import the seed text ourselves."""
    if Policy.objects.exists():
        return None
    from policies.parsing import parse_policy_text
    from policies.signals import version_published

    parsed = parse_policy_text(SEED.read_text())
    with transaction.atomic():
        policy = Policy.objects.create(title=parsed.title or "Social Media Policy",
                                       slug="social-media")
        version = PolicyVersion.objects.create(policy=policy, label="2023-09",
                                               source_text=SEED.read_text())
        by_number = {}
        for order, c in enumerate(parsed.clauses, start=1):
            by_number[c.number] = Clause.objects.create(
                version=version, number=c.number, anchor=c.anchor, heading=c.heading,
                text=c.text, level=c.level, order=order, parent=by_number.get(c.parent_number),
            )
        version.content_hash = version.compute_content_hash()
        version.status = PolicyVersion.Status.PUBLISHED
        version.change_kind = PolicyVersion.ChangeKind.MATERIAL
        version.published_at = timezone.now()
        version.save()
        version_published.send(sender=PolicyVersion, version=version, previous=None,
                               actor=None, material=True)
    _write(stdout, "  acknowledgements: imported the Social Media Policy (no policy seeded)")
    return version


def _demo_version() -> PolicyVersion | None:
    versions = PolicyVersion.objects.filter(
        status=PolicyVersion.Status.PUBLISHED, policy__requires_acknowledgement=True
    ).select_related("policy")
    return (versions.filter(policy__slug__contains="social").first() or versions.first())


def seed(stdout=None) -> None:
    version = _demo_version() or _fallback_policy(stdout)
    if version is None:
        _write(stdout, "  acknowledgements: no published policy to acknowledge; skipped")
        return
    created = assignments_sync()
    clauses = {c.number: c for c in Clause.objects.filter(version=version)}
    for order, (text, choices, correct, number) in enumerate(QUESTIONS, start=1):
        clause = clauses.get(number)
        if clause is not None and not Question.objects.filter(version=version,
                                                               text=text).exists():
            Question.objects.create(version=version, order=order, text=text, choices=choices,
                                    correct_choice=correct, clause=clause)
    people = {p.email: p for p in User.objects.filter(
        email__in=[*ACKNOWLEDGED, *ON_BEHALF, *ON_BEHALF.values(), *OVERDUE])}
    assignments = {a.person.email: a for a in Assignment.objects.filter(
        version=version, person__in=people.values()).select_related("person", "version")}
    recorded = 0
    for email in ACKNOWLEDGED:
        a = assignments.get(email)
        if a is not None and not a.is_done:
            acknowledgement_record(assignment=a, method=Method.PORTAL, check_reading=False,
                                   answers=[{"question": q[0], "answer": q[1][q[2]]}
                                            for q in QUESTIONS])
            recorded += 1
    for email, manager_email in ON_BEHALF.items():
        a, manager = assignments.get(email), people.get(manager_email)
        if a is not None and manager is not None and not a.is_done:
            acknowledgement_record(
                assignment=a, method=Method.ON_BEHALF, recorded_by=manager,
                attestation=f"I, {manager.full_name}, read the policy with "
                            f"{a.person.full_name} and they agreed to comply (demo).",
            )
            recorded += 1
    today = timezone.localdate()
    overdue = Assignment.objects.filter(
        version=version, person__email__in=OVERDUE, acknowledgement__isnull=True,
        due_on__gte=today,
    ).update(assigned_on=today - datetime.timedelta(days=21),
             due_on=today - datetime.timedelta(days=7))
    _write(stdout, f"  acknowledgements: {created} requests, {recorded} records, {overdue} made "
                   f"overdue ({Acknowledgement.objects.count()} records in the chain)")
