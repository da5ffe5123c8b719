import time_machine
from django.core.management import call_command
from django.urls import reverse

from policies import services
from policies.models import AcademyAddendum, Policy, PolicyVersion
from tests.policies.conftest import walk

S = PolicyVersion.Status


@time_machine.travel("2026-11-26 09:00 +00:00")
def test_the_demo_publishes_the_seed_and_adds_a_draft_once(db):
    from accounts import demo as accounts_demo
    from policies import demo

    accounts_demo.seed()
    demo.seed()
    demo.seed()
    policy = Policy.objects.get()
    statuses = sorted(policy.versions.values_list("label", "status"))
    assert statuses == [("2023-09", S.PUBLISHED), ("2026-11", S.DRAFT)]
    assert str(policy.next_review_due) == "2025-09-01"
    published = policy.current_version()
    assert published.approved_by.full_name == "Sean Kelly"
    assert published.addenda.get().status == AcademyAddendum.Status.APPROVED
    draft = policy.versions.get(label="2026-11")
    assert draft.clauses.get(number="10.4 k)").text.startswith("Do not use artificial")


def test_the_ceo_home_page_shows_a_version_awaiting_approval(client_as, org, imported):
    services.version_transition(version=imported.version, to_status=S.AWAITING_APPROVAL,
                                actor=org.hr, reason="No consultation needed: test.")
    html = client_as("ceo").get(reverse("home")).content.decode()
    assert "Awaiting your approval as CEO" in html
    assert "Awaiting your approval" not in client_as("staff").get(reverse("home")).content.decode()


@time_machine.travel("2026-11-26 09:00 +00:00")
def test_hr_home_page_shows_the_overdue_review(client_as, published):
    html = client_as("hr").get(reverse("home")).content.decode()
    assert "Review overdue since 1 September 2025" in html


def test_the_navigation_offers_the_review_board_only_to_those_who_may_use_it(client_as, org,
                                                                             published):
    board = reverse("policies:review_board")
    assert board in client_as("hr").get(reverse("home")).content.decode()
    assert board not in client_as("staff").get(reverse("home")).content.decode()
    staff_home = client_as("staff").get(reverse("home")).content.decode()
    assert reverse("policies:policy_list") in staff_home


def test_import_command_twice_says_nothing_changed(org, tmp_path, seed_text, capsys):
    path = tmp_path / "smp.txt"
    path.write_text(seed_text)
    call_command("import_policy", str(path), "--title", "Social Media Policy")
    call_command("import_policy", str(path), "--title", "Social Media Policy")
    assert "Nothing changed" in capsys.readouterr().out
    assert PolicyVersion.objects.count() == 1


def test_a_withdrawn_policy_is_no_longer_listed_for_staff(client_as, org, imported):
    version = walk(imported.version, org, S.PUBLISHED)
    services.version_transition(version=version, to_status=S.WITHDRAWN, actor=org.ceo,
                                reason="Retired")
    html = client_as("staff").get(reverse("policies:policy_list")).content.decode()
    assert "Social Media Policy" not in html


def test_the_principal_home_page_shows_their_draft_addendum(client_as, org, imported):
    services.addendum_save(version=imported.version, academy=org.academy, text="Contacts.",
                           actor=org.principal)
    html = client_as("principal").get(reverse("home")).content.decode()
    assert "Your academy&#x27;s addendum is a draft" in html
    other = client_as("other_principal").get(reverse("home")).content.decode()
    assert "addendum is a draft" not in other
