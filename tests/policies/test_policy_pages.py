import pytest
from django.urls import reverse

from policies import services
from policies.models import Policy, PolicyVersion
from tests.policies.importing import import_through_preview, preview_fields

S = PolicyVersion.Status
ROLES = ["staff", "manager", "principal", "other_principal", "hr", "ceo", "board", "admin",
         "outsider"]
MANAGERS = {"hr", "ceo", "admin"}
BACKSTAGE = {"hr", "ceo", "admin", "board", "principal", "other_principal"}


def _pages(policy, version):
    slug, label = policy.slug, version.label
    clause = version.clauses.get(number="5.1 f)")
    return {
        # name: (url, roles allowed (200), what the others get)
        "list": (reverse("policies:policy_list"), set(ROLES), None),
        "import": (reverse("policies:policy_import"), MANAGERS, 403),
        "register": (reverse("policies:policy_register"), MANAGERS, 403),
        "review board": (reverse("policies:review_board"), {"hr", "ceo", "admin", "board"}, 403),
        "review form": (reverse("policies:review_record", args=[slug]), MANAGERS, 403),
        "read": (reverse("policies:version_read", args=[slug, label]), set(ROLES), None),
        "record": (reverse("policies:version_record", args=[slug, label]), BACKSTAGE, 403),
        "withdraw form": (reverse("policies:version_transition", args=[slug, label, "withdrawn"]),
                          {"ceo"}, 403),
        "edit": (reverse("policies:version_edit", args=[slug, label]), MANAGERS, 403),
        "replace": (reverse("policies:version_replace", args=[slug, label]), MANAGERS, 403),
        "clause": (reverse("policies:clause_edit", args=[slug, label, clause.pk]), MANAGERS,
                   403),
    }


@pytest.mark.parametrize("role", ROLES)
def test_each_policy_page_opens_only_for_the_roles_that_may_use_it(client_as, published, role):
    for name, (url, allowed, refused) in _pages(published.policy, published).items():
        status = client_as(role).get(url).status_code
        if role in allowed:
            assert status == 200, (name, status)
        else:
            assert status == refused, (name, status)


def test_anonymous_visitors_are_sent_to_sign_in(client_as, published):
    for name, (url, _, _) in _pages(published.policy, published).items():
        response = client_as("anonymous").get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("account_login"))


def test_staff_cannot_see_a_draft_version(client_as, imported):
    url = reverse("policies:version_read", args=[imported.policy.slug, imported.version.label])
    assert client_as("staff").get(url).status_code == 404
    assert client_as("hr").get(url).status_code == 200


def test_staff_cannot_see_a_policy_whose_audience_excludes_them(client_as, org, published):
    published.policy.audience_academies.add(org.other)
    url = reverse("policies:version_read", args=[published.policy.slug, published.label])
    assert client_as("staff").get(url).status_code == 404
    assert client_as("outsider").get(url).status_code == 200


def test_staff_see_the_policies_that_apply_to_them(client_as, published):
    page = client_as("staff").get(reverse("policies:policy_list")).content.decode()
    assert "Social Media Policy" in page
    assert reverse("policies:version_read", args=[published.policy.slug, "2023-09"]) in page


def test_a_draft_only_policy_is_not_listed_for_staff(client_as, imported):
    page = client_as("staff").get(reverse("policies:policy_list")).content.decode()
    assert "Social Media Policy" not in page


def test_the_clause_permalink_resolves_to_the_clause_on_the_reading_page(client_as, published):
    from policies.selectors import clause_url

    clause = published.clauses.get(number="5.1 f)")
    url = clause_url(clause)
    assert url == "/policies/social-media-policy/2023-09/#5.1-f"
    page = client_as("staff").get(url.split("#")[0])
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="5.1-f"' in html and 'href="#5.1-f"' in html
    assert "harass or bully other staff in any way" in html


def test_every_clause_of_the_published_version_has_a_unique_anchor(client_as, published):
    html = client_as("staff").get(
        reverse("policies:version_read", args=[published.policy.slug, published.label])
    ).content.decode()
    for anchor in published.clauses.values_list("anchor", flat=True):
        assert html.count(f'id="{anchor}"') == 1, anchor


def test_the_reading_page_has_a_table_of_contents(client_as, published):
    html = client_as("staff").get(
        reverse("policies:version_read", args=[published.policy.slug, published.label])
    ).content.decode()
    assert 'href="#10"' in html and "Responsible use of social media" in html
    assert "Appendix A" in html


def test_searching_the_text_marks_the_matching_clauses(client_as, published):
    url = reverse("policies:version_read", args=[published.policy.slug, published.label])
    html = client_as("staff").get(url, {"q": "CPOMS"}).content.decode()
    assert "1 clause mention" in html
    assert "<mark>CPOMS</mark>" in html
    assert 'href="#10.3-a"' in html


def test_a_mention_of_a_registered_policy_becomes_a_link(client_as, org, published):
    from django.core.files.uploadedfile import SimpleUploadedFile

    services.policy_register_document(
        title="ICT User Policy", actor=org.hr,
        document=SimpleUploadedFile("ict.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
    )
    html = client_as("staff").get(
        reverse("policies:version_read", args=[published.policy.slug, published.label])
    ).content.decode()
    assert '<a href="/policies/ict-user-policy/" class="policy-mention">ICT User Policy</a>' in html
    download = client_as("staff").get(reverse("policies:policy_document",
                                              args=["ict-user-policy"]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"


def test_a_mention_of_an_unregistered_policy_stays_plain_text(client_as, published):
    html = client_as("staff").get(
        reverse("policies:version_read", args=[published.policy.slug, published.label])
    ).content.decode()
    assert "policy-mention" not in html


def test_the_owner_imports_a_policy_from_the_upload_page(client_as, seed_text):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("smp.txt", seed_text.encode())
    response = import_through_preview(client_as("hr"), {
        "file": upload, "title": "Social Media Policy", "owner_role": "ceo",
    })
    assert response.status_code == 302
    assert response["Location"] == "/policies/social-media-policy/2023-09/record/"


def test_the_upload_page_shows_a_numbering_warning_with_its_line_and_imports_after_confirming(
        client_as):
    text = "Policy\n\n1. Intro\n- 1.2 Second clause here.\n- 1.1 First clause here.\n"
    client = client_as("hr")
    response = client.post(reverse("policies:policy_import"), {
        "text": text, "title": "Out of order", "owner_role": "ceo",
    })
    html = response.content.decode()
    assert response.status_code == 200
    assert "Line 5" in html and "lause 1.1 comes after 1.2" in html
    assert "- 1.1 First clause here." in html
    assert "import the document as written" in html
    assert not Policy.objects.exists()
    response = client.post(reverse("policies:policy_import"), {
        **preview_fields(response), "confirm_warnings": "on",
    }, follow=True)
    version = PolicyVersion.objects.get()
    assert [c.number for c in version.clauses.order_by("order")] == ["1", "1.2", "1.1"]
    assert "lause 1.1 comes after 1.2" in response.content.decode()  # on the record page


def test_the_approver_sees_the_warnings_hr_confirmed(client_as, org):
    text = "Policy\n\n1. Intro\n- 1.2 Second clause here.\n- 1.1 First clause here.\n"
    version = services.policy_import(text=text, title="Out of order", actor=org.hr,
                                     confirm_warnings=True).version
    version = services.version_transition(version=version, to_status="awaiting_approval",
                                          actor=org.hr, reason="No consultation needed")
    url = reverse("policies:version_transition", args=[version.policy.slug, version.label,
                                                       "approved"])
    html = client_as("ceo").get(url).content.decode()
    assert "imported this document as written" in html
    assert "Line 5" in html and "lause 1.1 comes after 1.2" in html
    client_as("ceo").post(url, {"reason": "Checked the order."})
    event = version.events.get(to_status="approved")
    assert event.details["warnings_shown"] == [version.warnings[0]["message"]]


def test_a_damaged_word_document_upload_gets_a_clear_error(client_as):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("policy.docx", b"PK\x03\x04\x14\x00\x06\x00\xff\xfe binary")
    html = client_as("hr").post(reverse("policies:policy_import"), {
        "file": upload, "owner_role": "ceo",
    }).content.decode()
    assert "damaged or is not a Word document" in html  # documents.reader (issue 19)


def test_the_version_record_shows_each_step_with_its_reason(client_as, published):
    html = client_as("hr").get(
        reverse("policies:version_record", args=[published.policy.slug, published.label])
    ).content.decode()
    assert "Moving to ratified" in html
    assert "Approved by the CEO" in html
    assert "20 September 2023" in html


def test_the_ceo_approves_through_the_transition_form(client_as, org, imported):
    version = imported.version
    services.version_transition(version=version, to_status=S.AWAITING_APPROVAL, actor=org.hr,
                                reason="Consultation does not apply: typo fixes only.")
    url = reverse("policies:version_transition", args=[imported.policy.slug, version.label,
                                                       "approved"])
    assert client_as("hr").get(url).status_code == 403
    response = client_as("ceo").post(url, {"reason": "Approved."})
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == S.APPROVED and version.approved_by == org.ceo


def test_publishing_without_a_change_summary_is_refused_on_the_form(client_as, org, imported):
    from tests.policies.conftest import walk

    version = walk(imported.version, org, S.RATIFIED)
    url = reverse("policies:version_transition", args=[imported.policy.slug, version.label,
                                                       "published"])
    response = client_as("hr").post(url, {"reason": "Go", "change_kind": "material"})
    assert response.status_code == 200
    version.refresh_from_db()
    assert version.status == S.RATIFIED


def test_the_redline_page_shows_word_marks(client_as, org, published):
    draft = services.version_new_draft(policy=published.policy, actor=org.hr)
    clause = draft.clauses.get(number="4.1")
    services.clause_update(clause=clause, number="4.1",
                           text=clause.text.replace("dayto-day", "day-to-day"), actor=org.hr)
    url = reverse("policies:version_redline", args=[published.policy.slug])
    html = client_as("hr").get(url, {"old": published.label, "new": draft.label}).content.decode()
    assert "<del>dayto</del><ins>day-to</ins>-day" in html
    assert "1 changed" in html



def test_the_settings_page_changes_the_audience_and_review_interval(client_as, org, published):
    url = reverse("policies:policy_settings", args=[published.policy.slug])
    assert client_as("staff").get(url).status_code == 403
    assert client_as("principal").get(url).status_code == 403
    response = client_as("hr").post(url, {
        "owner_role": "hr", "review_interval_months": "12", "acknowledgement_due_days": "14",
        "requires_acknowledgement": "on", "audience_academies": [org.other.pk],
    })
    assert response.status_code == 302
    policy = published.policy
    policy.refresh_from_db()
    assert policy.owner_role == "hr" and str(policy.next_review_due) == "2024-09-01"
    read = reverse("policies:version_read", args=[policy.slug, published.label])
    assert client_as("staff").get(read).status_code == 404
    assert client_as("outsider").get(read).status_code == 200
