"""Helpers for acknowledgement tests: policies, versions from the seed text, publishing."""

import datetime
import itertools
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from policies.models import Clause, Policy, PolicyVersion
from policies.parsing import parse_policy_text
from policies.signals import version_published

SEED = Path(__file__).resolve().parents[2] / "policies" / "seed" / "social-media-policy-2023.txt"
_seq = itertools.count(1)


def seed_clauses():
    return parse_policy_text(SEED.read_text()).clauses


def policy_make(**fields) -> Policy:
    n = next(_seq)
    academies = fields.pop("audience_academies", None)
    fields.setdefault("title", "Social Media Policy")
    fields.setdefault("slug", f"social-media-{n}")
    policy = Policy.objects.create(**fields)
    if academies:
        policy.audience_academies.set(academies)
    return policy


def version_make(policy: Policy, label: str = "2023-09", *, changes: dict | None = None,
                 previous: PolicyVersion | None = None, only_sections: int | None = None,
                 ) -> PolicyVersion:
    """A draft version with the seed policy's clauses; `changes` maps number -> new text."""
    version = PolicyVersion.objects.create(policy=policy, label=label, previous=previous)
    by_number = {}
    clauses = seed_clauses()
    if only_sections is not None:
        keep = {str(n) for n in range(1, only_sections + 1)}
        clauses = [c for c in clauses if c.section.split(" ")[0] in keep]
    for order, parsed in enumerate(clauses, start=1):
        text = (changes or {}).get(parsed.number, parsed.text)
        by_number[parsed.number] = Clause.objects.create(
            version=version, number=parsed.number, anchor=parsed.anchor, heading=parsed.heading,
            text=text, level=parsed.level, order=order,
            parent=by_number.get(parsed.parent_number),
        )
    version.content_hash = version.compute_content_hash()
    version.save()
    return version


def publish(version: PolicyVersion, *, material: bool = True, actor=None) -> PolicyVersion:
    """Publish as the policy library does: supersede the previous, then send the signal."""
    with transaction.atomic():
        previous = version.policy.current_version()
        if previous is not None:
            previous.status = PolicyVersion.Status.SUPERSEDED
            previous.save()
        version.status = PolicyVersion.Status.PUBLISHED
        version.change_kind = "material" if material else "minor"
        version.published_at = timezone.now()
        if previous is not None and version.previous_id is None:
            version.previous = previous
        version.save()
        version_published.send(sender=PolicyVersion, version=version, previous=previous,
                               actor=actor, material=material)
    return version


def read_everything(client, assignment) -> None:
    from django.urls import reverse

    from acknowledgements.sections import sections_of

    for section in sections_of(assignment.version, assignment.person.academy):
        response = client.get(reverse("acknowledgements:read",
                                      args=[assignment.pk, section.index]))
        assert response.status_code == 200


@pytest.fixture
def policy(org):
    return policy_make()


@pytest.fixture
def short_policy(org):
    """A policy whose versions have only two sections (quicker reading in flows)."""
    return policy_make(title="Short Policy", slug="short-policy")


@pytest.fixture
def published(policy):
    return publish(version_make(policy))


@pytest.fixture
def short_published(short_policy):
    return publish(version_make(short_policy, only_sections=2))


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)
