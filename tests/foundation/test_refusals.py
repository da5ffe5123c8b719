"""A refusal's message reaches the person: every app's refusal is a core.errors.Refused, and a
view shows it through core.errors.shown (on the form, or as a message on the next page)."""

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from accounts.services import EmailChangeRefused
from acknowledgements.models import RecordImmutable
from acknowledgements.services import AcknowledgementError
from approvals.services import ApprovalError
from audit.models import AuditLogImmutable
from auditpacks.services import PackError
from breaches.workflow import CaseError
from core.errors import Immutable, Refused, sentence, shown
from core.uploads import UploadRejected
from documents.reader import DocumentReadError
from notifications.services import NotificationError
from policies.checks import PolicyParseError
from policies.common import PolicyError
from policies.models import PolicyImmutable, PolicyVersion
from tests.breaches.conftest import publish_policy


@pytest.mark.parametrize("error", [CaseError, PolicyError, ApprovalError, AcknowledgementError,
                                   PackError, UploadRejected, EmailChangeRefused,
                                   DocumentReadError, PolicyParseError, NotificationError])
def test_every_apps_refusal_is_a_refusal(error):
    assert issubclass(error, Refused)


@pytest.mark.parametrize("error", [RecordImmutable, AuditLogImmutable, PolicyImmutable])
def test_every_record_that_cannot_change_says_so_with_one_kind_of_error(error):
    assert issubclass(error, Immutable) and issubclass(error, Refused)


def test_a_refusal_about_a_line_names_the_line():
    assert str(PolicyError("the clause number 2 is used twice", 7)) == (
        "Line 7: the clause number 2 is used twice")


def test_a_refusal_is_shown_as_a_sentence():
    assert sentence(PolicyError("there is no published version to start from")) == (
        "There is no published version to start from.")


class _Form(forms.Form):
    name = forms.CharField(required=False)


def test_shown_puts_a_refusal_on_the_form_and_says_it_did_not_go_through():
    form = _Form({"name": "x"})
    form.is_valid()
    with shown(None, form, field="name") as attempt:
        raise CaseError("This case is closed.")
    assert not attempt
    assert form.errors["name"] == ["This case is closed."]


def test_shown_lets_any_other_error_through():
    with pytest.raises(KeyError), shown(None, _Form()):
        raise KeyError("a bug is never shown as a refusal")


def test_shown_says_the_block_went_through_when_nothing_was_refused(rf: RequestFactory):
    with shown(rf.get("/")) as attempt:
        pass
    assert attempt


def test_a_refused_approvals_move_is_shown_on_the_next_page(client_as, org):
    from tests.approvals.conftest import make_post

    req = make_post(org.staff)
    client = client_as("staff")
    url = reverse("approvals:withdraw", args=[req.pk])
    client.post(url, {"reasons": "Not needed."}, follow=True)
    response = client.post(url, {"reasons": "Again."}, follow=True)
    assert "This request is “Withdrawn”" in response.content.decode()


def test_a_refused_policy_draft_is_shown_as_a_sentence_on_the_policy_page(client_as, org):
    version = publish_policy()
    client = client_as("hr")
    url = reverse("policies:policy_new_draft", args=[version.policy.slug])
    client.post(url)
    draft = PolicyVersion.objects.filter(policy=version.policy).exclude(pk=version.pk).get()
    page = client.post(url, follow=True).content.decode()
    assert f"Version {draft.label} is already in progress" in page


def test_a_file_that_is_not_a_pack_is_refused_on_the_verify_form(client_as, org):
    response = client_as("hr").post(reverse("auditpacks:verify"), {
        "file": SimpleUploadedFile("pack.pdf", b"not a pdf at all", "application/pdf")})
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["The file is not a readable PDF."]
