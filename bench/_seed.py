"""Seed the benchmark database: 10,000 people in 20 academies, on top of `manage.py seed_demo`.

Run by bench/load.py inside the portal's environment (DATABASE_URL etc. already set):

    python bench/_seed.py --people 10000 --academies 20 --ack-users 200 > plan.json

Idempotent: people are created only up to the target. Prints a JSON "plan" on stdout: the
password, the staff to sign in, the bench Principal, and for each of `--ack-users` people with
an outstanding request the assignment to read and the answers to give (their reading is
recorded beforehand, as if they had read every page, so the acknowledge POST is what is timed).
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import transaction  # noqa: E402

from accounts.demo import ensure_demo_totp  # noqa: E402
from accounts.models import Academy, Category, Role, User  # noqa: E402

PASSWORD = "bench-portal-password-2026"
DOMAIN = "bench.example"
MANAGERS_PER_ACADEMY = 20
CATEGORIES = [Category.EMPLOYEE] * 8 + [Category.VOLUNTEER, Category.AGENCY]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def academies_ensure(count: int) -> list[Academy]:
    academies = []
    for n in range(1, count + 1):
        academy, _ = Academy.objects.get_or_create(
            code=f"bench-{n:02d}", defaults={"name": f"Bench Academy {n:02d}"}
        )
        academies.append(academy)
    return academies


def people_ensure(total: int, academies: list[Academy]) -> None:
    existing = User.objects.filter(email__endswith=f"@{DOMAIN}").count()
    if existing >= total:
        log(f"people: {existing} bench people already there")
        return
    password = make_password(PASSWORD)  # one hash for all: seeding stays fast
    per_academy = total // len(academies)
    with transaction.atomic():
        for index, academy in enumerate(academies):
            if User.objects.filter(academy=academy).count() >= per_academy:
                continue
            prefix = f"a{index + 1:02d}"
            principal, _ = User.objects.get_or_create(
                email=f"principal.{prefix}@{DOMAIN}",
                defaults={"full_name": f"Principal {prefix.upper()}", "academy": academy,
                          "role": Role.PRINCIPAL, "job_title": "Principal", "password": password},
            )
            ensure_demo_totp(principal)
            managers = [
                User(email=f"manager.{prefix}.{m:02d}@{DOMAIN}",
                     full_name=f"Manager {prefix.upper()}-{m:02d}", academy=academy,
                     job_title="Head of Department", line_manager=principal,
                     password=password)
                for m in range(1, MANAGERS_PER_ACADEMY + 1)
            ]
            User.objects.bulk_create(managers, ignore_conflicts=True)
            managers = list(User.objects.filter(email__startswith=f"manager.{prefix}."))
            staff = [
                User(email=f"staff.{prefix}.{s:04d}@{DOMAIN}",
                     full_name=f"Staff {prefix.upper()}-{s:04d}", academy=academy,
                     job_title="Teacher", category=CATEGORIES[s % len(CATEGORIES)],
                     line_manager=managers[s % len(managers)], password=password)
                for s in range(1, per_academy - MANAGERS_PER_ACADEMY)
            ]
            User.objects.bulk_create(staff, ignore_conflicts=True, batch_size=1000)
    log(f"people: {User.objects.filter(email__endswith=f'@{DOMAIN}').count()} bench people")


def acknowledgement_plan(ack_users: int, read_users: int) -> dict:
    """Outstanding requests to read and acknowledge, with their reading recorded."""
    try:
        from acknowledgements.models import Assignment, SectionView
        from acknowledgements.sections import sections_of
        from acknowledgements.services import assignments_sync
    except ImportError as error:
        log(f"acknowledgements not available ({error}); no reading or acknowledge pages")
        return {"ack": [], "read": []}
    created = assignments_sync()
    log(f"acknowledgements: {created} new requests for bench people")
    pending = list(
        Assignment.objects.live().outstanding()
        .filter(person__email__startswith="staff.", person__email__endswith=f"@{DOMAIN}")
        .select_related("person", "person__academy", "version")
        .order_by("person__email")[:ack_users + read_users]
    )
    ack, read = pending[:ack_users], pending[ack_users:]
    views, answers_by_version, sections = [], {}, {}
    for assignment in ack:
        version, academy = assignment.version, assignment.person.academy
        if (version.pk, academy.pk) not in sections:  # an academy's addendum is a page too
            sections[version.pk, academy.pk] = [s.key for s in sections_of(version, academy)]
        if version.pk not in answers_by_version:
            answers_by_version[version.pk] = {
                f"q{q.pk}": str(q.correct_choice) for q in version.ack_questions.all()
            }
        views.extend(SectionView(person_id=assignment.person_id, version=version, section=key)
                     for key in sections[version.pk, academy.pk])
    SectionView.objects.bulk_create(views, ignore_conflicts=True, batch_size=2000)
    return {
        "ack": [{"email": a.person.email, "assignment": a.pk,
                 "answers": answers_by_version[a.version_id]} for a in ack],
        "read": [{"email": a.person.email, "assignment": a.pk} for a in read],
    }


def published_policy_page() -> str:
    """The policy library's reading page of the current version (the whole text), if any."""
    try:
        from policies.models import PolicyVersion
    except ImportError:
        return ""
    version = (PolicyVersion.objects.filter(status=PolicyVersion.Status.PUBLISHED)
               .select_related("policy").order_by("-published_at").first())
    return f"/policies/{version.policy.slug}/{version.label}/" if version else ""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--academies", type=int, default=20)
    parser.add_argument("--ack-users", type=int, default=200)
    parser.add_argument("--read-users", type=int, default=60)
    args = parser.parse_args()
    academies = academies_ensure(args.academies)
    people_ensure(args.people, academies)
    plan = acknowledgement_plan(args.ack_users, args.read_users)
    print(json.dumps({
        "password": PASSWORD,
        "policy_page": published_policy_page(),
        "principal": f"principal.a01@{DOMAIN}",
        "academy": academies[0].code,
        "people": User.objects.count(),
        **plan,
    }))


if __name__ == "__main__":
    main()
