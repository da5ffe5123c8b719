"""Helpers for the breach-reporting tests: a published policy with clauses, cases, clients."""

import io
import time
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from policies.models import Clause, Policy, PolicyVersion
from policies.parsing import parse_policy_text

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "policies" / "seed" / "social-media-policy-2023.txt"

PNG_BYTES = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
             b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe"
             b"\x02\xfe\xa7V\xbd\xfa\x00\x00\x00\x00IEND\xaeB`\x82")


def publish_policy(slug: str = "social-media") -> PolicyVersion:
    """Parse the seed policy into a published version with all its clauses."""
    parsed = parse_policy_text(SEED.read_text())
    policy = Policy.objects.create(title=parsed.title or "Social Media Policy", slug=slug)
    version = PolicyVersion.objects.create(policy=policy, label="2023-09",
                                           source_text=SEED.read_text())
    by_number: dict[str, Clause] = {}
    for parsed_clause in parsed.clauses:
        by_number[parsed_clause.number] = Clause.objects.create(
            version=version, number=parsed_clause.number, anchor=parsed_clause.anchor,
            heading=parsed_clause.heading, text=parsed_clause.text, level=parsed_clause.level,
            parent=by_number.get(parsed_clause.parent_number or ""), order=parsed_clause.order,
        )
    version.status = PolicyVersion.Status.PUBLISHED
    version.change_kind = PolicyVersion.ChangeKind.MATERIAL
    version.published_at = timezone.now()
    version.save()
    return version


@pytest.fixture
def policy_version(db) -> PolicyVersion:
    return publish_policy()


@pytest.fixture
def clause(policy_version):
    def get(number: str) -> Clause:
        return policy_version.clauses.get(number=number)

    return get


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Every test writes evidence to its own private folder."""
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    return settings.PRIVATE_STORAGE_ROOT


def fresh_auth(client: Client, user) -> Client:
    """Record a sign-in "now" in the session, as allauth does at login/re-authentication."""
    session = client.session
    session["account_authentication_methods"] = [{"method": "password", "at": time.time()}]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client


@pytest.fixture
def team_client(org):
    """team_client("principal") -> signed-in client that authenticated within 15 minutes."""

    def make(name_or_user) -> Client:
        user = getattr(org, name_or_user) if isinstance(name_or_user, str) else name_or_user
        client = Client()
        client.force_login(user)
        return fresh_auth(client, user)

    return make


@pytest.fixture
def make_case(org):
    """make_case(reporter=org.staff, concerned=org.colleague, **data) -> Case via the service."""
    from breaches import services

    def make(*, reporter=None, concerned="colleague", **data):
        reporter = reporter or org.staff
        if isinstance(concerned, str):
            concerned = getattr(org, concerned)
        payload = {
            "concerned": concerned, "platform": "facebook",
            "seen_at": timezone.now(), "description": "A post mocking a pupil by name.",
            "links": "https://www.facebook.com/example/posts/1",
            **data,
        }
        return services.report_submit(reporter=reporter, data=payload)

    return make


def upload(name: str, content: bytes, content_type: str = "image/png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


def raw_upload(name: str, content: bytes):
    """An upload whose name is kept exactly as given (as a hostile client might send it)."""
    from django.core.files.uploadedfile import InMemoryUploadedFile

    file = InMemoryUploadedFile(io.BytesIO(content), "evidence_file", "x.png", "image/png",
                                len(content), None)
    file._name = name
    return file


def advance_to(case, target_states, *, actor, **data):
    """Move a case along a path of states with sensible data for each move."""
    from breaches import services
    from breaches.models import State

    for target in target_states:
        payload = {}
        reason = "Because the evidence shows it."
        if target == State.TRIAGE:
            payload = {"severity": "medium", "safeguarding_confirmed": False}
            reason = ""
        elif target == State.OUTCOME:
            payload = {"outcome": data.get("outcome", "written_warning"),
                       "outcome_reasons": "The post was offensive.",
                       "clauses_breached": data["clauses_breached"]}
            reason = ""
        case = services.case_transition(case=case, target=target, actor=actor, reason=reason,
                                        data=payload)
    return case


def text_of(html: str) -> str:
    """The words of an HTML page, tags dropped and white space squeezed (what a reader sees)."""
    import html as html_lib
    import re

    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def pack_text(case, user) -> str:
    """The text of the case pack `user` would get (the HTML the PDF prints, no PDF made)."""
    from auditpacks import build, services

    pack = services.pack_request_case(actor=user, case_pk=case.pk, queue=False)
    return text_of(build.case_pack_html(pack)[0])


def decide_appeal(case, *, org, clauses_breached, result="upheld", revised="management_advice"):
    """Principal decides a written warning; the person concerned appeals; the CEO decides."""
    from breaches import services
    from breaches.models import State

    case = advance_to(case, [State.TRIAGE, State.INVESTIGATION, State.OUTCOME],
                      actor=org.principal, clauses_breached=clauses_breached)
    case = services.case_transition(case=case, target=State.APPEAL, actor=org.colleague,
                                    reason="The warning is too severe for a first post.")
    return services.case_transition(
        case=case, target=State.CLOSED, actor=org.ceo,
        data={"appeal_result": result, "appeal_reasons": "First offence; apologised at once.",
              "revised_outcome": revised if result == "upheld" else ""})
