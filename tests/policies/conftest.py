from pathlib import Path

import pytest

from policies import services
from policies.models import PolicyVersion

SEED_PATH = Path(__file__).resolve().parents[2] / "policies/seed/social-media-policy-2023.txt"
S = PolicyVersion.Status


@pytest.fixture
def seed_text() -> str:
    return SEED_PATH.read_text()


@pytest.fixture
def imported(org, seed_text):
    """The seed policy imported by HR as a draft."""
    return services.policy_import(text=seed_text, title="Social Media Policy", actor=org.hr)


def walk(version, org, to: str):
    """Walk a version along the usual path up to (and including) status ``to``."""
    steps = [
        (S.CONSULTATION, org.hr, {}),
        (S.AWAITING_APPROVAL, org.hr, {"comments": "No objections from the unions."}),
        (S.APPROVED, org.ceo, {}),
        (S.RATIFIED, org.hr, {"ratified_on": "2023-09-20"}),
        (S.PUBLISHED, org.hr, {"change_kind": "material", "change_summary": "First version."}),
    ]
    for status, actor, details in steps:
        version = services.version_transition(
            version=version, to_status=status, actor=actor, reason=f"Moving to {status}",
            **details,
        )
        if status == to:
            break
    return version


@pytest.fixture
def published(org, imported):
    return walk(imported.version, org, S.PUBLISHED)
