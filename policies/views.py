"""Policy library pages. Thin: permission check, form, service, redirect."""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from accounts.models import Academy
from accounts.permissions import addendum_academy_scope, can, requires
from audit.models import AuditEvent
from core import uploads
from core.errors import Refused, sentence, shown
from policies import selectors, services, textcache
from policies.common import lower_first
from policies.cover import cover_changes
from policies.forms import (
    AddendumAcademyForm,
    ImportForm,
    PolicySettingsForm,
    RegisterDocumentForm,
    ReviewForm,
    TransitionForm,
)
from policies.import_preview import build_preview, text_digest
from policies.marks import render_marks_html
from policies.models import Clause, PolicyVersion
from policies.redline import summary, word_marks

S = PolicyVersion.Status


def _version_or_404(request, slug: str, label: str) -> PolicyVersion:
    return selectors.get_version_for_user(request.user, slug, label)


def _draft_or_404(request, slug: str, label: str) -> PolicyVersion:
    version = _version_or_404(request, slug, label)
    if not can(request.user, "policies.manage"):
        raise PermissionDenied("Only HR, the CEO or an administrator may edit a draft.")
    return version


# --------------------------------------------------------------------------- library


#: What the policy list shows of each version.
LIST_VERSION_FIELDS = ("id", "policy_id", "label", "status", "published_at")


@requires("policies.read")
def policy_list(request):
    backstage = selectors.is_backstage(request.user)
    applying = selectors.policies_applying_to(request.user)
    # Staff see what applies to them (policies_visible_to), already in hand.
    policies = list(selectors.policies_visible_to(request.user)) if backstage else applying
    prefetch_related_objects(policies, Prefetch(
        "versions", queryset=PolicyVersion.objects.only(*LIST_VERSION_FIELDS)
    ))
    rows = []
    applies = {policy.pk for policy in applying}
    for policy in policies:
        versions = list(policy.versions.all())
        rows.append({
            "policy": policy,
            "current": next((v for v in versions if v.status == S.PUBLISHED), None),
            "in_progress": next((v for v in versions if v.status in PolicyVersion.IN_PROGRESS),
                                None),
            "applies": policy.pk in applies,
            "review_state": selectors.review_state(policy),
        })
    return render(request, "policies/policy_list.html", {
        "rows": rows,
        "backstage": backstage,
        "can_manage": can(request.user, "policies.manage"),
        "can_review_board": can(request.user, "policies.review_board"),
    })


@requires("policies.manage")
def policy_import(request):
    """Import a document in two steps: the first post reads it and shows the preview (nothing
    saved); "Import as a draft" posts the previewed text back with ``confirm`` and only then
    is the draft saved. A text that differs from the one previewed is previewed again."""
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"form": form, "error": None, "preview": None}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        text = data["document_text"]
        kept = {"text": text, "title": data["title"], "owner_role": data["owner_role"],
                "source_name": data["source_name"]}
        if "change" in request.POST:  # "Change the document": back to the form, input kept
            context.update(form=ImportForm(initial=kept), changing=True)
            return render(request, "policies/policy_import.html", context)
        digest = text_digest(text)
        try:
            if data["confirm"] and data["previewed_digest"] == digest:
                return _import_confirmed(request, data, text)
            preview = build_preview(text, data["title"])
        except services.ImportNeedsConfirmation:
            preview = build_preview(text, data["title"])
            context["unconfirmed"] = True
        except services.PolicyError as exc:
            context["error"] = {"message": exc.message, "line_number": exc.line_number,
                                "context": _context(text, exc.line_number)}
            return render(request, "policies/policy_import.html", context)
        context.update(
            preview=preview, digest=digest, kept=kept,
            changed_since_preview=bool(data["confirm"] and data["previewed_digest"] != digest),
            warnings=[{"warning": w, "context": _context(text, w.line_number)}
                      for w in preview.warnings],
        )
    return render(request, "policies/policy_import.html", context)


def _import_confirmed(request, data: dict, text: str):
    """Save the previewed document (``services.policy_import``) and go to its record."""
    result = services.policy_import(
        text=text, title=data["title"], actor=request.user, request=request,
        owner_role=data["owner_role"], source_name=data["source_name"],
        confirm_warnings=data["confirm_warnings"],
    )
    version = result.version
    if result.created:
        messages.success(
            request, f"Imported {result.policy.title} version {version.label} as a "
            f"draft with {version.clauses.count()} clauses.",
        )
    else:
        messages.warning(
            request, f"Nothing imported: version {version.label} of "
            f"{result.policy.title} already has exactly this text.",
        )
    return redirect("policies:version_record", version.policy.slug, version.label)


def _context(text: str, line_number: int | None) -> list[tuple[int, str, bool]]:
    """The lines around a line of the document: (number, text, is that line)."""
    if not line_number:
        return []
    lines = text.splitlines()
    first = max(line_number - 3, 0)
    return [(n, lines[n - 1], n == line_number)
            for n in range(first + 1, min(line_number + 2, len(lines)) + 1)]


@requires("policies.manage")
def policy_register(request):
    form = RegisterDocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            policy = services.policy_register_document(
                title=form.cleaned_data["title"], document=form.cleaned_data["document"],
                summary=form.cleaned_data["summary"], actor=request.user, request=request,
            )
        except Refused as exc:
            form.add_error("document" if isinstance(exc, services.DocumentRejected) else None,
                           sentence(exc))
        else:
            messages.success(request, f"{policy.title} is registered with its document.")
            return redirect("policies:policy_detail", policy.slug)
    return render(request, "policies/policy_register.html", {"form": form})


@requires("policies.read")
def policy_detail(request, slug: str):
    policy = selectors.get_policy_for_user(request.user, slug)
    backstage = selectors.is_backstage(request.user)
    versions = list(selectors.versions_visible_to(request.user, policy))
    current = next((v for v in versions if v.status == S.PUBLISHED), None)
    if not backstage and current is not None:
        return redirect("policies:version_read", policy.slug, current.label)
    return render(request, "policies/policy_detail.html", {
        "policy": policy,
        "versions": versions,
        "current": current,
        "in_progress": next((v for v in versions if v.status in PolicyVersion.IN_PROGRESS),
                            None),
        "reviews": policy.reviews.select_related("reviewer", "recorded_by")[:20],
        "review_state": selectors.review_state(policy),
        "backstage": backstage,
        "can_manage": can(request.user, "policies.manage"),
        "events": AuditEvent.objects.for_object(policy)[:20] if backstage else [],
    })


@requires("policies.read")
def policy_document(request, slug: str):
    policy = selectors.get_policy_for_user(request.user, slug)
    if not policy.document:
        raise Http404("This policy has no uploaded document.")
    try:
        handle = policy.document.open("rb")
    except FileNotFoundError:
        raise Http404("The document file is missing.") from None
    name = policy.document_name or policy.document.name.rsplit("/", 1)[-1]
    content_type = uploads.download_content_type(mimetypes.guess_type(name)[0] or "")
    return FileResponse(handle, as_attachment=True, content_type=content_type,
                        filename=uploads.download_name(name, content_type))


@requires("policies.manage")
def policy_settings(request, slug: str):
    policy = selectors.get_policy_for_user(request.user, slug)
    initial = {field: getattr(policy, field) for field in services.SETTINGS_FIELDS}
    initial["audience_academies"] = list(policy.audience_academies.all())
    form = PolicySettingsForm(request.POST or None, initial=initial,
                              review_clause=selectors.review_clause(policy.current_version()))
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_update_settings(policy=policy, actor=request.user, request=request,
                                            **form.cleaned_data)
        except Refused as exc:
            form.add_error(None, sentence(exc))
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, f"Settings of the {policy.title} saved.")
            return redirect("policies:policy_detail", policy.slug)
    return render(request, "policies/policy_settings.html", {"policy": policy, "form": form})


@require_POST
@requires("policies.manage")
def policy_new_draft(request, slug: str):
    policy = selectors.get_policy_for_user(request.user, slug)
    with shown(request) as attempt:
        draft = services.version_new_draft(policy=policy, actor=request.user, request=request)
    if not attempt:
        return redirect("policies:policy_detail", policy.slug)
    messages.success(request, f"Draft {draft.label} started from the published version.")
    return redirect("policies:version_edit", policy.slug, draft.label)


@requires("policies.manage")
def review_record(request, slug: str):
    policy = selectors.get_policy_for_user(request.user, slug)
    form = ReviewForm(request.POST or None, review_clause=selectors.review_clause(
        policy.current_version()), initial={
        "reviewed_on": timezone.localdate(), "reviewer_name": request.user.full_name,
    })
    if request.method == "POST" and form.is_valid():
        with shown(request, form) as attempt:
            services.policy_review_record(
                policy=policy, actor=request.user, request=request, **form.cleaned_data
            )
        if attempt:
            policy.refresh_from_db()
            messages.success(
                request, f"Review recorded. The next review is due by "
                f"{policy.next_review_due:%-d %B %Y}.",
            )
            return redirect("policies:policy_detail", policy.slug)
    return render(request, "policies/review_form.html", {"form": form, "policy": policy})


@requires("policies.review_board")
def review_board(request):
    board = selectors.review_board()
    return render(request, "policies/review_board.html", {
        "sections": [
            ("overdue", "Overdue", board["overdue"]),
            ("due_30", "Due within 30 days", board["due_30"]),
            ("due_90", "Due within 90 days", board["due_90"]),
            ("later", "Later", board["later"]),
        ],
        "can_manage": can(request.user, "policies.manage"),
        "today": timezone.localdate(),
    })


# --------------------------------------------------------------------------- reading


@requires("policies.read")
def version_read(request, slug: str, label: str):
    version = selectors.get_version_for_reading(request.user, slug, label)
    policy = version.policy
    query = " ".join(request.GET.get("q", "").split())[:100]
    academy_id = request.user.academy_id
    # Person-specific parts stay out of the cached text: their academy's addendum, and the
    # fingerprint of what they acknowledge (exactly the version's hash without an addendum).
    addendum, approver, content_hash = None, None, version.content_hash
    clauses = None
    if query or not _text_cacheable(version):
        clauses = list(version.clauses.order_by("order"))
        text = _render_text(clauses, selectors.mention_links(exclude=policy), query)
        addendum = selectors.approved_addendum(version, academy_id)
    else:
        # One round trip to the cache: the text, and the reader's academy's addendum (or None).
        entries = [_text_entry(version)]
        if academy_id:
            entries.append(textcache.addendum_entry(version, academy_id))
        values = textcache.read_many(entries, TEXT_CACHE_SECONDS)
        # Our own template output (escaped when it was rendered), back from the cache.
        text = {part: mark_safe(html) for part, html in values[0].items()}  # noqa: S308
        if academy_id:
            addendum = textcache.addendum_from(version, academy_id, values[1])
    if addendum is not None:
        approver = selectors.addendum_approver_name(addendum)
        content_hash = selectors.version_content_hash_for(version, academy_id, addendum)
    return render(request, "policies/version_read.html", {
        "policy": policy,
        "version": version,
        "toc_html": text["toc"],
        "clauses_html": text["clauses"],
        "addendum": addendum,
        "addendum_approver": approver,
        "query": query,
        "matches": [c for c in clauses if query.lower() in c.text.lower()] if query else [],
        "current": version if version.status == S.PUBLISHED else policy.current_version(),
        "backstage": selectors.is_backstage(request.user),
        "content_hash": content_hash,
    })


#: Seconds a rendered version text stays cached (the key changes whenever the text could).
TEXT_CACHE_SECONDS = 60 * 60 * 24 * 7


def _text_cacheable(version: PolicyVersion) -> bool:
    """Only versions whose clauses can never change again (model layer and database triggers)."""
    return version.status in PolicyVersion.READABLE and bool(version.content_hash)


def _render_text(clauses: list[Clause], links: dict[str, str], query: str = "") -> dict:
    """The contents list and the clauses as HTML: the same for everyone who reads them."""
    return {
        "toc": render_to_string("policies/_version_toc.html", {
            "sections": [c for c in clauses if c.level == 0],
        }),
        "clauses": render_to_string("policies/_version_clauses.html", {
            "clauses": clauses, "links": links, "query": query,
        }),
    }


def _text_entry(version: PolicyVersion):
    """The `textcache.read_many` entry of ``_render_text`` of a published (immutable) version.

    Keyed by the version and its content hash, and kept under the ``text`` namespace: the
    mention links in the text (which policies can be read, and where they live) change with
    any policy or version, which bumps it.
    """
    key = f"policies:text:v3:{version.pk}:{version.content_hash}"
    return (key, lambda: {
        part: "".join([html]) for part, html in _render_text(  # a plain str: pickles smaller
            list(version.clauses.order_by("order")),
            selectors.mention_links(exclude=version.policy)).items()
    }, True)


@requires("policies.read")
def version_redline(request, slug: str):
    policy = selectors.get_policy_for_user(request.user, slug)
    versions = list(selectors.versions_visible_to(request.user, policy))
    if len(versions) < 2:
        messages.info(request, "There is only one version of this policy, so nothing to compare.")
        return redirect("policies:policy_detail", policy.slug)
    by_label = {v.label: v for v in versions}
    new = by_label.get(request.GET.get("new", "")) or versions[0]
    old = by_label.get(request.GET.get("old", "")) or new.previous or versions[1]
    if old.pk not in {v.pk for v in versions}:
        old = versions[1] if versions[0] == new else versions[0]
    diffs = selectors.version_redline(old, new)
    cover_rows = [{"row": row, "html": render_marks_html(word_marks(row.old, row.new))}
                  for row in cover_changes(old.cover, new.cover)
                  if row.status != "unchanged" or request.GET.get("all") == "1"]
    rows = [
        {"diff": d, "html": render_marks_html(d.marks)}
        for d in diffs
    ]
    show_all = request.GET.get("all") == "1"
    return render(request, "policies/redline.html", {
        "policy": policy, "versions": versions, "old": old, "new": new,
        "rows": rows if show_all else [r for r in rows if r["diff"].status != "unchanged"],
        "counts": summary(diffs), "show_all": show_all, "cover_rows": cover_rows,
    })


# --------------------------------------------------------------------------- lifecycle


@requires(*selectors.BACKSTAGE_PERMISSIONS)
def version_record(request, slug: str, label: str):
    version = _version_or_404(request, slug, label)
    addenda = list(version.addenda.select_related("academy", "drafted_by", "approved_by"))
    academies_free = Academy.objects.filter(is_central=False).exclude(
        pk__in=[a.academy_id for a in addenda]
    )
    scope = addendum_academy_scope(request.user)
    if scope is not None:
        academies_free = academies_free.filter(pk__in=scope)
    return render(request, "policies/version_record.html", {
        "policy": version.policy,
        "version": version,
        "events": version.events.select_related("actor"),
        "transitions": services.transitions_for(version, request.user),
        "addenda": [
            {"addendum": a,
         "moves": services.addendum_moves_for(a, request.user)
         if version.status not in services.FROZEN_VERSION_STATUSES else [],
             "may_edit": services.may_draft_addendum(request.user, a.academy)
             and version.status not in services.FROZEN_VERSION_STATUSES}
            for a in addenda
        ],
        "academy_form": AddendumAcademyForm(academies=academies_free)
        if can(request.user, "policies.addendum_draft") and academies_free.exists()
        and version.status not in services.FROZEN_VERSION_STATUSES else None,
        "can_manage": can(request.user, "policies.manage"),
        "audit_events": AuditEvent.objects.for_object(version)[:50],
        "cover_rows": cover_changes(None, version.cover),
        "questions": selectors.question_summary(version),
        "proposed_review": selectors.proposed_review(version),
    })


@requires("policies.manage", "policies.approve", "policies.ratify")
def version_transition(request, slug: str, label: str, to: str):
    version = _version_or_404(request, slug, label)
    transition = services.VERSIONS.between(version.status, to)
    if transition is None:
        messages.error(request, f"Version {version.label} is "
                       f"{lower_first(version.get_status_display())}; that step is not "
                       "possible now.")
        return redirect("policies:version_record", slug, label)
    if not services.may_make(request.user, transition):
        raise PermissionDenied("Your role may not make this change.")
    form = TransitionForm(request.POST or None, transition=transition)
    if request.method == "POST" and form.is_valid():
        details = {k: v for k, v in form.cleaned_data.items() if k != "reason"}
        with shown(request, form) as attempt:
            services.version_transition(
                version=version, to_status=to, actor=request.user, request=request,
                reason=form.cleaned_data["reason"], **details,
            )
        if attempt:
            version.refresh_from_db()
            messages.success(request, f"{version.policy.title} {version.label} is now "
                             f"{lower_first(version.get_status_display())}.")
            missing = [a.name for a in services.academies_without_addendum(version)]
            if to == S.PUBLISHED and missing:
                messages.warning(request, "No approved addendum for this version: "
                                 f"{', '.join(missing)}. Their staff read the policy without "
                                 "local arrangements.")
            if to == S.PUBLISHED:
                return redirect("policies:version_read", slug, label)
            return redirect("policies:version_record", slug, label)
    return render(request, "policies/version_transition.html", {
        "policy": version.policy, "version": version, "transition": transition, "form": form,
        "without_addendum": services.academies_without_addendum(version)
        if to == S.PUBLISHED else [],
        "questions": selectors.question_summary(version) if to == S.PUBLISHED else None,
    })
