import pytest

from accounts.permissions import can
from audit.models import AuditEvent
from policies import services
from policies.models import PolicyVersion, VersionEvent
from policies.signals import version_published, version_withdrawn

S = PolicyVersion.Status
ROLES = ["staff", "manager", "principal", "other_principal", "hr", "ceo", "board", "admin",
         "outsider"]
SMALL_POLICY = "Test Policy\n\n1. Purpose\n- 1.1 This policy is short.\n"
PATH = [S.DRAFT, S.CONSULTATION, S.AWAITING_APPROVAL, S.APPROVED, S.RATIFIED, S.PUBLISHED]
DETAILS = {
    S.RATIFIED: {"ratified_on": "2026-11-20"},
    S.PUBLISHED: {"change_kind": "minor", "change_summary": "Wording."},
}
#: Who may make each move (the table in policies.services), spelled out so a change shows here.
EXPECTED = {
    (S.DRAFT, S.CONSULTATION): {"hr", "ceo", "admin"},
    (S.DRAFT, S.AWAITING_APPROVAL): {"hr", "ceo", "admin"},
    (S.DRAFT, S.WITHDRAWN): {"hr", "ceo", "admin"},
    (S.CONSULTATION, S.AWAITING_APPROVAL): {"hr", "ceo", "admin"},
    (S.CONSULTATION, S.DRAFT): {"hr", "ceo", "admin"},
    (S.AWAITING_APPROVAL, S.APPROVED): {"ceo"},
    (S.AWAITING_APPROVAL, S.DRAFT): {"ceo"},
    (S.APPROVED, S.RATIFIED): {"hr", "ceo", "admin"},
    (S.RATIFIED, S.PUBLISHED): {"hr", "ceo", "admin"},
    (S.PUBLISHED, S.WITHDRAWN): {"ceo"},
}


def _version_at(org, status: str, title: str = "Test Policy") -> PolicyVersion:
    text = SMALL_POLICY.replace("short", f"short ({title})")
    version = services.policy_import(text=text, title=title, actor=org.hr).version
    for target in PATH[1:PATH.index(status) + 1]:
        version = services.version_transition(
            version=version, to_status=target, actor=org.ceo, reason="Setting up",
            **DETAILS.get(target, {}),
        )
    return version


def test_the_transition_table_is_the_one_these_tests_expect():
    assert services.VERSIONS.pairs() == set(EXPECTED)


@pytest.mark.parametrize("move", sorted(EXPECTED), ids=lambda m: f"{m[0]}->{m[1]}")
@pytest.mark.time_machine("2026-11-26 10:00 +00:00")
def test_each_move_is_allowed_for_its_roles_and_refused_for_every_other(org, move):
    source, target = move
    for role in ROLES:
        version = _version_at(org, source, title=f"Policy for {role}")
        actor = getattr(org, role)
        if role in EXPECTED[move]:
            services.version_transition(version=version, to_status=target, actor=actor,
                                        reason=f"{role} moves it", **DETAILS.get(target, {}))
            version.refresh_from_db()
            assert version.status == target, role
        else:
            with pytest.raises(services.TransitionNotAllowed):
                services.version_transition(version=version, to_status=target, actor=actor,
                                            reason="Trying", **DETAILS.get(target, {}))
            version.refresh_from_db()
            assert version.status == source, role


def test_a_move_not_in_the_table_is_refused_even_for_the_ceo(org):
    version = _version_at(org, S.DRAFT)
    with pytest.raises(services.TransitionNotAllowed, match="cannot become published"):
        services.version_transition(version=version, to_status=S.PUBLISHED, actor=org.ceo,
                                    reason="Skip everything", change_kind="minor",
                                    change_summary="x")


def test_a_move_without_a_reason_is_refused(org):
    version = _version_at(org, S.DRAFT)
    with pytest.raises(services.PolicyError, match="reason"):
        services.version_transition(version=version, to_status=S.CONSULTATION, actor=org.hr,
                                    reason="  ")


def test_skipping_consultation_records_the_reason(org):
    version = _version_at(org, S.DRAFT)
    services.version_transition(version=version, to_status=S.AWAITING_APPROVAL, actor=org.hr,
                                reason="Not applicable: typographical corrections only.")
    version.refresh_from_db()
    assert version.consultation_skipped_reason == "Not applicable: typographical corrections only."
    assert version.events.get().details == {"consultation_skipped": True}


def test_each_move_is_recorded_with_who_why_and_the_audit_trail(org):
    version = _version_at(org, S.RATIFIED)
    steps = list(version.events.values_list("from_status", "to_status"))
    assert steps == list(zip(PATH[:4], PATH[1:5], strict=True))
    assert version.ratified_on.isoformat() == "2026-11-20"
    assert version.ratified_recorded_by == org.ceo
    codes = set(AuditEvent.objects.for_object(version).values_list("action", flat=True))
    assert {"policies.version_consultation", "policies.version_approved",
            "policies.version_ratified"} <= codes


def test_ratification_needs_its_date(org):
    version = _version_at(org, S.APPROVED)
    with pytest.raises(services.PolicyError, match="ratification date"):
        services.version_transition(version=version, to_status=S.RATIFIED, actor=org.hr,
                                    reason="LGB met")


def test_publishing_needs_material_or_minor_and_a_summary(org):
    version = _version_at(org, S.RATIFIED)
    with pytest.raises(services.PolicyError, match="material or minor"):
        services.version_publish(version=version, actor=org.hr, change_kind="",
                                 change_summary="x")
    with pytest.raises(services.PolicyError, match="change summary"):
        services.version_publish(version=version, actor=org.hr, change_kind="minor",
                                 change_summary=" ")


def test_publishing_supersedes_the_previous_version_and_sends_the_signal(org):
    first = _version_at(org, S.PUBLISHED)
    draft = services.version_new_draft(policy=first.policy, actor=org.hr)
    clause = draft.clauses.get(number="1.1")
    services.clause_update(clause=clause, number="1.1", text="This policy is shorter.",
                           actor=org.hr)
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    version_published.connect(receiver)
    try:
        for target in PATH[2:5]:
            draft = services.version_transition(version=draft, to_status=target, actor=org.ceo,
                                                reason="ok", **DETAILS.get(target, {}))
        services.version_publish(version=draft, actor=org.hr, change_kind="material",
                                 change_summary="Shorter.")
    finally:
        version_published.disconnect(receiver)
    first.refresh_from_db()
    draft.refresh_from_db()
    assert first.status == S.SUPERSEDED and draft.status == S.PUBLISHED
    assert draft.previous == first
    assert received[0]["version"] == draft and received[0]["previous"] == first
    assert received[0]["actor"] == org.hr and received[0]["material"] is True
    assert VersionEvent.objects.filter(version=first, to_status=S.SUPERSEDED).exists()


def test_withdrawing_a_published_version_sends_the_withdrawn_signal(org):
    version = _version_at(org, S.PUBLISHED)
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    version_withdrawn.connect(receiver)
    try:
        services.version_transition(version=version, to_status=S.WITHDRAWN, actor=org.ceo,
                                    reason="Replaced by the new ICT policy.")
    finally:
        version_withdrawn.disconnect(receiver)
    assert received == [{"signal": version_withdrawn, "version": version, "actor": org.ceo}]


def test_the_ceo_is_told_when_a_version_awaits_approval(org):
    from notifications.models import Notification

    version = _version_at(org, S.CONSULTATION)
    services.version_transition(version=version, to_status=S.AWAITING_APPROVAL, actor=org.hr,
                                reason="Consultation closed")
    assert Notification.objects.filter(recipient=org.ceo,
                                       kind="policies.version_awaiting_approval").exists()


def test_a_second_draft_cannot_start_while_one_is_in_progress(org):
    version = _version_at(org, S.PUBLISHED)
    services.version_new_draft(policy=version.policy, actor=org.hr)
    with pytest.raises(services.PolicyError, match="already in progress"):
        services.version_new_draft(policy=version.policy, actor=org.hr)


def test_only_the_policy_managers_may_start_a_new_draft(org):
    version = _version_at(org, S.PUBLISHED)
    for role in ROLES:
        if can(getattr(org, role), "policies.manage"):
            continue
        with pytest.raises(services.TransitionNotAllowed):
            services.version_new_draft(policy=version.policy, actor=getattr(org, role))


def test_the_ceo_is_told_again_when_a_returned_version_comes_back(org):
    from notifications.models import Notification

    version = _version_at(org, S.DRAFT)
    for _ in range(2):
        services.version_transition(version=version, to_status=S.AWAITING_APPROVAL,
                                    actor=org.hr, reason="No consultation needed: wording.")
        if version.status == S.AWAITING_APPROVAL and not Notification.objects.filter(
            recipient=org.hr
        ).exists():
            services.version_transition(version=version, to_status=S.DRAFT, actor=org.ceo,
                                        reason="Please fix clause 1.1 first.")
    assert Notification.objects.filter(recipient=org.ceo,
                                       kind="policies.version_awaiting_approval").count() == 2
    returned = Notification.objects.get(recipient=org.hr, kind="policies.version_draft")
    assert returned.body == "Please fix clause 1.1 first."


def test_an_approval_recorded_after_the_event_keeps_its_date(org):
    import datetime

    version = _version_at(org, S.AWAITING_APPROVAL)
    services.version_transition(version=version, to_status=S.APPROVED, actor=org.ceo,
                                reason="Approved in September (cover sheet).",
                                on=datetime.date(2023, 9, 1))
    version.refresh_from_db()
    assert version.approved_at.date() == datetime.date(2023, 9, 1)
    assert version.events.last().occurred_on == datetime.date(2023, 9, 1)
