import pytest

from policies import services
from policies.models import PolicyVersion

S = PolicyVersion.Status


@pytest.fixture
def draft(org, published):
    return services.version_new_draft(policy=published.policy, actor=org.hr)


def _numbers(version) -> list[str]:
    return list(version.clauses.order_by("order").values_list("number", flat=True))


def test_a_new_draft_starts_as_a_copy_of_the_published_version(draft, published):
    assert draft.status == S.DRAFT and draft.previous == published
    assert draft.content_hash == published.content_hash
    assert _numbers(draft) == _numbers(published)


def test_editing_a_clause_changes_its_text_and_the_hash(org, draft, published):
    clause = draft.clauses.get(number="6.1")
    services.clause_update(clause=clause, number="6.1", text="Blogging at work is not allowed.",
                           actor=org.hr)
    draft.refresh_from_db()
    assert draft.clauses.get(number="6.1").text == "Blogging at work is not allowed."
    assert draft.content_hash != published.content_hash
    assert draft.content_hash == draft.compute_content_hash()


def test_an_empty_clause_is_refused(org, draft):
    clause = draft.clauses.get(number="6.1")
    with pytest.raises(services.PolicyError, match="empty"):
        services.clause_update(clause=clause, number="6.1", text="   ", actor=org.hr)


def test_a_number_that_goes_backwards_is_refused(org, draft):
    clause = draft.clauses.get(number="6.3")
    with pytest.raises(services.PolicyError, match="must go up"):
        services.clause_update(clause=clause, number="5.9", text=clause.text, actor=org.hr)
    assert draft.clauses.get(number="6.3").text == clause.text


def test_a_duplicate_number_is_refused_without_pointing_at_a_hidden_line(org, draft):
    clause = draft.clauses.get(number="6.3")
    with pytest.raises(services.PolicyError) as caught:
        services.clause_update(clause=clause, number="6.1", text=clause.text, actor=org.hr)
    assert caught.value.message == "clause 6.1 appears twice"


def test_adding_a_lettered_item_renumbers_nothing_else(org, draft):
    after = draft.clauses.get(number="10.4 j)")
    services.clause_add(version=draft, after=after, level=2, text="Do not post deepfakes.",
                        actor=org.hr)
    assert draft.clauses.get(number="10.4 k)").text == "Do not post deepfakes."
    assert draft.clauses.get(number="10.5").text.startswith("Respecting intellectual")


def test_adding_a_clause_in_the_middle_renumbers_the_ones_after_it(org, draft):
    after = draft.clauses.get(number="6.1")
    old_62 = draft.clauses.get(number="6.2").text
    services.clause_add(version=draft, after=after, level=1, text="A new rule.", actor=org.hr)
    assert draft.clauses.get(number="6.2").text == "A new rule."
    assert draft.clauses.get(number="6.3").text == old_62
    assert draft.clauses.filter(number="6.5").exists()


def test_removing_a_clause_removes_its_items_and_renumbers(org, draft):
    clause = draft.clauses.get(number="10.3")
    old_104 = draft.clauses.get(number="10.4").text
    services.clause_remove(clause=clause, actor=org.hr)
    numbers = _numbers(draft)
    assert "10.3 e)" in numbers  # the old 10.4's items, renumbered
    assert draft.clauses.get(number="10.3").text == old_104
    assert "10.6" not in numbers


def test_moving_a_clause_down_swaps_it_with_the_next_one(org, draft):
    clause = draft.clauses.get(number="8.1")
    text_81, text_82 = clause.text, draft.clauses.get(number="8.2").text
    services.clause_move(clause=clause, direction="down", actor=org.hr)
    assert draft.clauses.get(number="8.1").text == text_82
    assert draft.clauses.get(number="8.2").text == text_81


def test_moving_a_clause_carries_its_items_with_it(org, draft):
    clause = draft.clauses.get(number="10.4")
    services.clause_move(clause=clause, direction="up", actor=org.hr)
    assert draft.clauses.get(number="10.3").text.startswith("Protecting our business")
    assert draft.clauses.get(number="10.3 a) v.").text.startswith("other affiliates")
    assert draft.clauses.get(number="10.4").text.startswith("Safeguarding children")


def test_the_first_clause_cannot_move_up(org, draft):
    with pytest.raises(services.PolicyError, match="first"):
        services.clause_move(clause=draft.clauses.get(number="1.1"), direction="up",
                             actor=org.hr)


def test_replacing_the_whole_text_points_at_the_bad_line(org, draft):
    with pytest.raises(services.PolicyError) as caught:
        services.version_replace_text(
            version=draft, text="1. Intro\n- 1.1 One\n- 1.3 Three\n- 1.2 Two\n", actor=org.hr
        )
    assert caught.value.line_number == 4
    assert draft.clauses.count() == 93


def test_replacing_the_whole_text_replaces_every_clause(org, draft):
    services.version_replace_text(version=draft, text="1. Intro\n- 1.1 One.\n - a) item\n",
                                  actor=org.hr)
    assert _numbers(draft) == ["1", "1.1", "1.1 a)"]


def test_staff_cannot_edit_a_draft(org, draft):
    clause = draft.clauses.get(number="1.1")
    with pytest.raises(services.TransitionNotAllowed):
        services.clause_update(clause=clause, number="1.1", text="x", actor=org.staff)


def test_the_draft_editor_page_applies_a_move(client_as, draft):
    from django.urls import reverse

    clause = draft.clauses.get(number="8.1")
    url = reverse("policies:version_edit", args=[draft.policy.slug, draft.label])
    response = client_as("hr").post(url, {"action": "down", "clause": clause.pk})
    assert response.status_code == 302
    assert draft.clauses.get(number="8.2").text == clause.text


def test_the_replace_page_previews_without_saving(client_as, draft):
    from django.urls import reverse

    url = reverse("policies:version_replace", args=[draft.policy.slug, draft.label])
    html = client_as("hr").post(url, {"action": "preview",
                                      "text": "1. Intro\n- 1.1 One.\n"}).content.decode()
    assert "Preview: 2 clauses" in html
    assert draft.clauses.count() == 93


def test_the_replace_page_shows_the_line_of_an_error(client_as, draft):
    from django.urls import reverse

    url = reverse("policies:version_replace", args=[draft.policy.slug, draft.label])
    html = client_as("hr").post(url, {"action": "save",
                                      "text": "1. Intro\n- 1.1\n- 1.2 Two\n"}).content.decode()
    assert "Line 2" in html and "Clause 1.1 is empty" in html
    assert draft.clauses.count() == 93
