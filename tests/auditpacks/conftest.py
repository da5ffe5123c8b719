"""Helpers for audit pack tests: a small policy with two versions, and PDF text."""

import datetime
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from policies.models import Clause, Policy, PolicyVersion
from policies.parsing import parse_clause_lines

V1_TEXT = """1. Purpose
- 1.1 Staff must use social media responsibly.
- 1.2 Staff must not post about pupils.
2. Reporting
- 2.1 Report misuse to the Principal:
 - a) in writing;
 - b) within five working days.
"""

V2_TEXT = """1. Purpose
- 1.1 Staff must use social media responsibly.
- 1.2 Staff must never post about pupils or their parents.
2. Reporting
- 2.1 Report misuse to the Principal:
 - a) in writing;
 - b) within five working days.
- 2.2 The Principal tells HR within one day.
"""


def version_make(policy, label, text, *, status="published", previous=None, cover=None,
                 published_at=None):
    version = PolicyVersion.objects.create(
        policy=policy, label=label, source_text=text, previous=previous, cover=cover or {},
    )
    for parsed in parse_clause_lines(text):
        Clause.objects.create(
            version=version, number=parsed.number, anchor=parsed.anchor, heading=parsed.heading,
            text=parsed.text, level=parsed.level, order=parsed.order,
        )
    version.content_hash = version.compute_content_hash()
    version.save()
    PolicyVersion.objects.filter(pk=version.pk).update(
        status=status, change_kind="material",
        published_at=published_at or timezone.now(),
    )
    version.refresh_from_db()
    return version


@pytest.fixture
def policy(db):
    return Policy.objects.create(
        title="Social Media Policy", slug="social-media",
        last_reviewed_on=datetime.date(2025, 9, 1), next_review_due=datetime.date(2027, 9, 1),
    )


@pytest.fixture
def versions(policy):
    """(v1 superseded, v2 published) of a small policy."""
    v1 = version_make(
        policy, "2023-09", V1_TEXT, status="superseded",
        cover={"ceo_approval_by": "Sean Kelly", "ceo_approval_date": "September 2023",
               "jnc_consultation": "September 2023"},
        published_at=timezone.now() - datetime.timedelta(days=700),
    )
    v2 = version_make(
        policy, "2025-09", V2_TEXT, previous=v1,
        cover={"ceo_approval_by": "Sean Kelly", "ceo_approval_date": "September 2025",
               "jnc_consultation": "August 2025"},
    )
    return v1, v2


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"


def acknowledge(person, version, method="portal"):
    from acknowledgements.models import Assignment
    from acknowledgements.services import acknowledgement_record

    assignment = Assignment.objects.get(person=person, version=version)
    return acknowledgement_record(assignment=assignment, method=method,
                                  check_reading=False).record


@pytest.fixture
def roster(org, versions):
    """Everyone asked to acknowledge v2: staff, colleague and the CEO have; outsider is overdue.

    Northfield 4 people (2 done), Riverside 2 (0 done, 1 overdue), Central team 4 (1 done).
    """
    from acknowledgements.models import Assignment
    from acknowledgements.services import assignments_on_publish

    v2 = versions[1]
    assignments_on_publish(version=v2, previous=versions[0])
    for person in (org.staff, org.colleague, org.ceo):
        acknowledge(person, v2)
    past = timezone.localdate() - datetime.timedelta(days=30)
    Assignment.objects.filter(person=org.outsider, version=v2).update(
        assigned_on=past, due_on=past + datetime.timedelta(days=14))
    return v2


@pytest.fixture
def case(org, versions):
    """A breach case at Northfield about `colleague`, reported by `staff`, citing clause 1.2."""
    from breaches.services import report_submit

    clause = versions[1].clauses.get(number="1.2")
    return report_submit(reporter=org.staff, data={
        "concerned": org.colleague, "platform": "facebook",
        "seen_at": timezone.now() - datetime.timedelta(days=1),
        "description": "Posted a photo of Year 5 with Zebedee Quartermain named in the caption.",
        "reporter_name": "Ottoline Pemberton-Vance", "clauses": [clause],
    })


def build_policy_pack(actor, version, **kwargs):
    from auditpacks import services

    pack = services.pack_request_policy(actor=actor, version=version, queue=False, **kwargs)
    return services.pack_build(pack_id=pack.pk)


@pytest.fixture
def fresh_client_as(org):
    """fresh_client_as("hr") -> signed in and authenticated within the last 15 minutes (what
    anything revealing a case's content asks for)."""
    from django.test import Client

    from tests.breaches.conftest import fresh_auth

    def make(name: str) -> Client:
        user = getattr(org, name)
        client = Client()
        client.force_login(user)
        return fresh_auth(client, user)

    return make
