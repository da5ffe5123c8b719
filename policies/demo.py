"""Demo data: the Social Media Policy published as its 2023 cover sheet records, plus a draft.

Idempotent: the import is deduplicated by content hash, each lifecycle step runs only if the
version has not reached it, and the second draft is made only once.
"""

import datetime
from pathlib import Path

from django.db import transaction

from accounts.models import Academy, User
from policies import services
from policies.models import AcademyAddendum, Clause, PolicyVersion

S = PolicyVersion.Status
SEED_FILE = Path(__file__).resolve().parent / "seed" / "social-media-policy-2023.txt"
SEPT_2023 = datetime.date(2023, 9, 1)

NORTHFIELD_ADDENDUM = (
    "Designated Safeguarding Lead: Helen Carter (Principal), via the school office.\n"
    "Report concerns about social media posts through CPOMS or to the Principal on the same "
    "day.\n"
    "The school's official accounts (Facebook and X) are run by the office manager; ask the "
    "Principal before posting anything about Northfield on them."
)

#: Realistic edits for the 2026 draft: (clause number, old fragment, new fragment).
DRAFT_EDITS = [
    ("1.1", "Facebook, Instagram, Linkedin, Snapchat, Tik-Tok, Twitter, blogs and wikis",
     "Facebook, Instagram, LinkedIn, Snapchat, TikTok, X (formerly Twitter), WhatsApp, "
     "blogs and wikis"),
    ("4.1", "dayto-day", "day-to-day"),
    ("7.2", "Line managers should liaise with Colwyn Technologies",
     "Line managers should liaise with the Trust's IT provider"),
    ("7.3", "(being (i) unless and until the GDPR is no longer directly applicable in the UK, "
     "the General Data Protection Regulation ((EU) 2016/679) and any national implementing "
     "laws, regulations and secondary legislation, as amended or updated from time to time, "
     "in the UK and then (ii) any successor legislation to the GDPR or the Data Protection Act "
     "1998)", "(the UK General Data Protection Regulation and the Data Protection Act 2018)"),
]
NEW_ITEM_AFTER = "10.4 j)"
NEW_ITEM = (
    "Do not use artificial intelligence tools to create or alter images, video or audio of "
    "pupils, colleagues or anyone connected with the Academy / Trust."
)


def _step(version, to, actor, reason, **details):
    return services.version_transition(
        version=version, to_status=to, actor=actor, reason=reason, **details
    )


def seed(stdout=None) -> None:
    hr = User.objects.filter(email="hr@trust.example").first()
    ceo = User.objects.filter(email="ceo@trust.example").first()
    principal = User.objects.filter(email="principal.northfield@trust.example").first()
    northfield = Academy.objects.filter(code="northfield").first()
    if hr is None or ceo is None:
        if stdout:
            stdout.write("  policies: skipped (run the accounts seed first)")
        return
    with transaction.atomic():
        result = services.policy_import(
            text=SEED_FILE.read_text(), title="Social Media Policy", actor=hr,
            source_name=SEED_FILE.name,
        )
        version = result.version
        if version.status == S.DRAFT:
            version = _step(version, S.CONSULTATION, hr, "Consultation with the recognised "
                            "trade unions through the JNC, as the cover sheet records.",
                            on=SEPT_2023)
        if version.status == S.CONSULTATION:
            version = _step(version, S.AWAITING_APPROVAL, hr, "JNC consultation completed "
                            "September 2023.", comments="No amendments requested.",
                            on=SEPT_2023)
        if version.status == S.AWAITING_APPROVAL:
            version = _step(version, S.APPROVED, ceo, "Approved: Sean Kelly, September 2023 "
                            "(cover sheet).", on=SEPT_2023)
        if version.status == S.APPROVED:
            version = _step(version, S.RATIFIED, hr, "The 2023 cover sheet leaves the LGB "
                            "Cluster ratification date blank; recorded as the approval month.",
                            ratified_on=SEPT_2023)
        if version.status == S.RATIFIED:
            if northfield and principal:
                _approved_addendum(version, northfield, principal, ceo)
            version = services.version_publish(
                version=version, actor=hr, change_kind="material",
                change_summary="The trust's Social Media Policy, approved September 2023.",
                on=SEPT_2023,
            )
        policy = version.policy
        if policy.versions.count() == 1 and version.status == S.PUBLISHED:
            _second_draft(policy, hr)
    if stdout:
        current = policy.current_version()
        stdout.write(
            f"  policies: {policy.title} {current.label} published; "
            f"{policy.versions.count()} versions; next review due "
            f"{policy.next_review_due:%B %Y}"
        )


def _approved_addendum(version, academy, principal, ceo) -> None:
    addendum = AcademyAddendum.objects.filter(version=version, academy=academy).first()
    if addendum is None:
        addendum = services.addendum_save(
            version=version, academy=academy, text=NORTHFIELD_ADDENDUM, actor=principal
        )
    if addendum.status == AcademyAddendum.Status.DRAFT:
        addendum = services.addendum_transition(
            addendum=addendum, to_status=AcademyAddendum.Status.SUBMITTED, actor=principal
        )
    if addendum.status == AcademyAddendum.Status.SUBMITTED:
        services.addendum_transition(
            addendum=addendum, to_status=AcademyAddendum.Status.APPROVED, actor=ceo,
            reason="Local contacts checked.",
        )


def _second_draft(policy, hr) -> None:
    draft = services.version_new_draft(policy=policy, actor=hr, label="2026-11")
    for number, old, new in DRAFT_EDITS:
        clause = Clause.objects.get(version=draft, number=number)
        if old in clause.text:
            services.clause_update(clause=clause, number=number,
                                   text=clause.text.replace(old, new), actor=hr)
    after = Clause.objects.filter(version=draft, number=NEW_ITEM_AFTER).first()
    if after is not None:
        services.clause_add(version=draft, after=after, level=2, text=NEW_ITEM, actor=hr)
