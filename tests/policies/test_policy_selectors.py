from policies import selectors, services
from policies.models import PolicyVersion

S = PolicyVersion.Status


def test_version_redline_reports_known_edits(org, published):
    draft = services.version_new_draft(policy=published.policy, actor=org.hr)
    c41 = draft.clauses.get(number="4.1")
    services.clause_update(clause=c41, number="4.1",
                           text=c41.text.replace("dayto-day", "day-to-day"), actor=org.hr)
    services.clause_add(version=draft, after=draft.clauses.get(number="10.4 j)"), level=2,
                        text="Do not post deepfakes.", actor=org.hr)
    services.clause_remove(clause=draft.clauses.get(number="7.6"), actor=org.hr)
    services.clause_move(clause=draft.clauses.get(number="8.1"), direction="down", actor=org.hr)
    diffs = {(d.status, d.old_number, d.new_number) for d in
             selectors.version_redline(published, draft) if d.status != "unchanged"}
    assert diffs == {
        ("changed", "4.1", "4.1"),
        ("added", None, "10.4 k)"),
        ("removed", "7.6", None),
        ("moved", "8.1", "8.2"),
        ("moved", "8.2", "8.1"),
    }


def test_current_version_is_the_published_one(org, published):
    draft = services.version_new_draft(policy=published.policy, actor=org.hr)
    assert selectors.current_version(published.policy) == published
    assert draft != published


def test_policies_for_user_follows_the_audience(org, published):
    policy = published.policy
    assert list(selectors.policies_for_user(org.staff)) == [policy]
    policy.audience_roles = ["principal"]
    policy.save()
    assert list(selectors.policies_for_user(org.staff)) == []
    assert list(selectors.policies_for_user(org.principal)) == [policy]
    assert set(selectors.audience_for(policy)) == {org.principal, org.other_principal}
