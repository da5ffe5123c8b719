"""Downloads of a version as Word and PDF, and the optional public pages. Thin views."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.permissions import requires
from documents import selectors
from documents.pdf import version_pdf as render_version_pdf
from documents.writer import version_docx
from policies import selectors as policy_selectors

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _filename(version, addendum, suffix: str) -> str:
    name = f"{version.policy.slug}-{version.label}"
    if addendum is not None:
        name += f"-{addendum.academy.code}"
    return f"{name}.{suffix}"


def _download(content: bytes, content_type: str, filename: str, *, inline: bool = False):
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def _version_and_addendum(request, slug: str, label: str):
    """The same rule as the reading page (404 for a version this person may not read)."""
    version = policy_selectors.get_version_for_reading(request.user, slug, label)
    addendum = selectors.addendum_for_download(request.user, version,
                                               request.GET.get("academy", ""))
    return version, addendum, list(version.clauses.order_by("order"))


@requires("policies.read")
def version_word(request, slug: str, label: str):
    version, addendum, clauses = _version_and_addendum(request, slug, label)
    content = version_docx(version, clauses, addendum=addendum, trust_name=settings.TRUST_NAME)
    return _download(content, DOCX_TYPE, _filename(version, addendum, "docx"))


@requires("policies.read")
def version_pdf(request, slug: str, label: str):
    version, addendum, clauses = _version_and_addendum(request, slug, label)
    content = render_version_pdf(version, clauses, addendum=addendum)
    return _download(content, "application/pdf", _filename(version, addendum, "pdf"))


# --------------------------------------------------------------------------- public pages


def public_index(request):
    return render(request, "documents/public_list.html", {
        "policies": selectors.public_policies(),
    })


def public_current(request, slug: str):
    version = selectors.public_version(slug)
    return redirect("public:version_read", version.policy.slug, version.label)


def public_version(request, slug: str, label: str):
    version = selectors.public_version(slug, label)
    clauses = list(version.clauses.order_by("order"))
    return render(request, "documents/public_version.html", {
        "policy": version.policy,
        "version": version,
        "clauses": clauses,
        "sections": [c for c in clauses if c.level == 0],
    })


def public_version_pdf(request, slug: str, label: str):
    version = selectors.public_version(slug, label)
    content = render_version_pdf(version, list(version.clauses.order_by("order")))
    return _download(content, "application/pdf", _filename(version, None, "pdf"), inline=True)
