"""Reads for the documents pages: which addendum a person may add to a download, and what is
public."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.permissions import can
from policies import selectors as policy_selectors
from policies.models import AcademyAddendum, Policy, PolicyVersion

S = PolicyVersion.Status
#: Who may add any academy's addendum, in any state, to a download.
LIBRARY_TEAM = ("policies.manage", "policies.approve", "policies.review_board")


def addenda_for_download(user, version: PolicyVersion) -> QuerySet[AcademyAddendum]:
    """The addenda a person may add to a download of the version as an appendix.

    The library team (HR, the CEO, admin, the Board): any academy's addendum, in whatever
    state (a draft version goes to the Board with its addenda). A Principal: their own
    academy's in whatever state, and other academies' approved ones. Everyone else: their
    own academy's approved addendum, the one they read on the reading page.
    """
    addenda = AcademyAddendum.objects.filter(version=version).select_related(
        "academy").order_by("academy__name")
    approved = Q(status=AcademyAddendum.Status.APPROVED)
    if any(can(user, p) for p in LIBRARY_TEAM):
        return addenda
    if policy_selectors.is_backstage(user):
        return addenda.filter(approved | Q(academy_id=user.academy_id))
    return addenda.filter(approved, academy_id=user.academy_id)


def addendum_for_download(user, version: PolicyVersion, code: str) -> AcademyAddendum | None:
    """The addendum chosen by academy code ('' for none); Http404 if this person may not."""
    if not code:
        return None
    addendum = addenda_for_download(user, version).filter(academy__code=code).first()
    if addendum is None:
        raise Http404("No such addendum.")
    return addendum


def public_enabled() -> None:
    if not settings.PUBLIC_POLICIES:
        raise Http404("Public policy pages are switched off.")


def public_policies() -> QuerySet[Policy]:
    """Policies with a published version: what the trust's website may link to."""
    public_enabled()
    return Policy.objects.filter(versions__status=S.PUBLISHED).distinct().order_by("title")


def public_version(slug: str, label: str | None = None) -> PolicyVersion:
    """A published version, for anyone. Drafts, versions in progress, superseded and
    withdrawn versions are never public: Http404, the same as a version that does not exist.
    """
    public_enabled()
    versions = PolicyVersion.objects.select_related("policy").filter(
        policy__slug=slug, status=S.PUBLISHED)
    if label is not None:
        versions = versions.filter(label=label)
    version = versions.first()
    if version is None:
        raise Http404("No such published policy.")
    return version
