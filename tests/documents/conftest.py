import pytest

from policies import services
from policies.models import AcademyAddendum
from tests.policies.conftest import imported, published, seed_text, walk  # noqa: F401

A = AcademyAddendum.Status
ADDENDUM_TEXT = "Designated Safeguarding Lead: Helen Carter.\nReport concerns via CPOMS."


@pytest.fixture
def approved_addendum(org, imported):  # noqa: F811
    """Northfield's approved addendum to the seed version, which is then published."""
    version = walk(imported.version, org, "ratified")
    addendum = services.addendum_save(version=version, academy=org.academy, text=ADDENDUM_TEXT,
                                      actor=org.principal)
    services.addendum_transition(addendum=addendum, to_status=A.SUBMITTED, actor=org.principal)
    addendum = services.addendum_transition(addendum=addendum, to_status=A.APPROVED,
                                            actor=org.ceo)
    services.version_transition(version=version, to_status="published", actor=org.hr,
                                reason="Publishing", change_kind="material",
                                change_summary="First version.")
    addendum.refresh_from_db()
    return addendum
