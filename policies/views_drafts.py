"""Policy library pages for drafts: the clause editor, the cover sheet, replacing the whole
text, and academy addenda. Thin: permission check, form, service, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import Academy
from accounts.permissions import requires
from core.errors import Refused, sentence, shown
from policies import services
from policies.common import lower_first
from policies.forms import (
    AddClauseForm,
    AddendumForm,
    ClauseForm,
    CoverForm,
    LabelForm,
    ReasonForm,
    ReplaceTextForm,
)
from policies.marks import render_marks_html
from policies.models import AcademyAddendum, Clause
from policies.redline import summary
from policies.views import _draft_or_404, _version_or_404


@requires("policies.manage")
def cover_edit(request, slug: str, label: str):
    """The draft's cover sheet: approval, consultation, ratification and review dates."""
    version = _draft_or_404(request, slug, label)
    form = CoverForm(request.POST or None, cover=version.cover or {})
    if request.method == "POST" and form.is_valid():
        with shown(request, form) as attempt:
            services.version_cover_update(version=version, values=form.cleaned_data,
                                          actor=request.user, request=request)
        if attempt:
            messages.success(request, "Cover sheet saved.")
            return redirect("policies:version_record", slug, label)
    return render(request, "policies/cover_form.html", {
        "policy": version.policy, "version": version, "form": form,
    })


# --------------------------------------------------------------------------- draft editor


@requires("policies.manage")
def version_edit(request, slug: str, label: str):
    version = _draft_or_404(request, slug, label)
    clauses = list(version.clauses.order_by("order"))
    add_form = AddClauseForm(clauses=clauses, initial={"after": str(clauses[-1].pk)
                                                       if clauses else ""})
    label_form = LabelForm(initial={"label": version.label})
    if request.method == "POST" and version.is_editable:
        action = request.POST.get("action")
        try:
            if action == "add":
                add_form = AddClauseForm(request.POST, clauses=clauses)
                if add_form.is_valid():
                    after_pk = add_form.cleaned_data["after"]
                    after = next((c for c in clauses if str(c.pk) == after_pk), None)
                    services.clause_add(
                        version=version, after=after, level=add_form.cleaned_data["level"],
                        text=add_form.cleaned_data["text"], actor=request.user, request=request,
                    )
                    messages.success(request, "Clause added; the clauses were renumbered.")
                    return redirect("policies:version_edit", slug, version.label)
            elif action == "label":
                label_form = LabelForm(request.POST)
                if label_form.is_valid():
                    version = services.version_relabel(
                        version=version, label=label_form.cleaned_data["label"],
                        actor=request.user, request=request,
                    )
                    messages.success(request, f"The draft is now labelled {version.label}.")
                    return redirect("policies:version_edit", slug, version.label)
            elif action == "renumber":
                services.version_renumber(version=version, actor=request.user, request=request)
                messages.success(request, "Clauses renumbered in order.")
                return redirect("policies:version_edit", slug, version.label)
            elif action in ("up", "down", "remove"):
                clause = get_object_or_404(Clause, version=version, pk=request.POST.get("clause"))
                if action == "remove":
                    services.clause_remove(clause=clause, actor=request.user, request=request)
                    messages.success(request, f"Clause {clause.number} removed; the clauses "
                                     "were renumbered.")
                else:
                    services.clause_move(clause=clause, direction=action, actor=request.user,
                                         request=request)
                    messages.success(request, f"Clause {clause.number} moved {action}.")
                return redirect(reverse("policies:version_edit", args=[slug, version.label])
                                + f"#edit-{clause.order}")
        except Refused as exc:
            messages.error(request, sentence(exc))
            if action == "add":
                add_form.add_error(None, sentence(exc))
    return render(request, "policies/version_edit.html", {
        "policy": version.policy, "version": version, "clauses": clauses,
        "add_form": add_form, "label_form": label_form,
    })


@requires("policies.manage")
def clause_edit(request, slug: str, label: str, pk: int):
    version = _draft_or_404(request, slug, label)
    clause = get_object_or_404(Clause, version=version, pk=pk)
    form = ClauseForm(request.POST or None, initial={"number": clause.number, "text": clause.text})
    if request.method == "POST" and form.is_valid():
        with shown(request, form) as attempt:
            services.clause_update(
                clause=clause, number=form.cleaned_data["number"],
                text=form.cleaned_data["text"], actor=request.user, request=request,
            )
        if attempt:
            messages.success(request, f"Clause {form.cleaned_data['number']} saved.")
            return redirect(reverse("policies:version_edit", args=[slug, label])
                            + f"#edit-{clause.order}")
    return render(request, "policies/clause_edit.html", {
        "policy": version.policy, "version": version, "clause": clause, "form": form,
    })


@requires("policies.manage")
def version_replace(request, slug: str, label: str):
    version = _draft_or_404(request, slug, label)
    from policies.parsing import PolicyParseError, parse_clause_lines, render_policy_text

    form = ReplaceTextForm(request.POST or None, initial={
        "text": render_policy_text(version.clauses.order_by("order")),
    })
    preview = error = None
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        try:
            parsed = parse_clause_lines(text)
        except PolicyParseError as exc:
            lines = text.splitlines()
            error = {"message": exc.message, "line_number": exc.line_number}
            if exc.line_number:
                error["line"] = lines[exc.line_number - 1] if exc.line_number <= len(lines) else ""
        else:
            if request.POST.get("action") == "save":
                with shown(request, form) as attempt:
                    services.version_replace_text(version=version, text=text,
                                                  actor=request.user, request=request)
                if attempt:
                    messages.success(request, f"Text replaced: {len(parsed)} clauses.")
                    return redirect("policies:version_edit", slug, label)
            from policies.redline import redline

            diffs = redline(version.clauses.order_by("order").values_list("number", "text"),
                            [(c.number, c.text) for c in parsed])
            preview = {
                "count": len(parsed), "counts": summary(diffs),
                "rows": [{"diff": d, "html": render_marks_html(d.marks)} for d in diffs
                         if d.status != "unchanged"],
            }
    return render(request, "policies/version_replace.html", {
        "policy": version.policy, "version": version, "form": form, "preview": preview,
        "error": error,
    })


# --------------------------------------------------------------------------- addenda


@requires("policies.addendum_draft")
def addendum_edit(request, slug: str, label: str, code: str):
    version = _version_or_404(request, slug, label)
    academy = get_object_or_404(Academy, code=code, is_central=False)
    if not services.may_draft_addendum(request.user, academy):
        raise Http404("No such addendum.")
    addendum = version.addenda.filter(academy=academy).first()
    form = AddendumForm(request.POST or None, initial={"text": addendum.text if addendum else ""})
    if request.method == "POST" and form.is_valid():
        with shown(request, form) as attempt:
            services.addendum_save(version=version, academy=academy,
                                   text=form.cleaned_data["text"], actor=request.user,
                                   request=request)
        if attempt:
            messages.success(request, f"Addendum for {academy} saved as a draft. Send it to the "
                             "CEO for approval when it is ready.")
            return redirect("policies:version_record", slug, label)
    return render(request, "policies/addendum_form.html", {
        "policy": version.policy, "version": version, "academy": academy, "form": form,
        "addendum": addendum,
    })


@requires("policies.addendum_draft")
def addendum_start(request, slug: str, label: str):
    code = request.GET.get("academy", "")
    academy = Academy.objects.filter(pk=code).first() if code.isdigit() else None
    if academy is None:
        messages.error(request, "Choose an academy.")
        return redirect("policies:version_record", slug, label)
    return redirect("policies:addendum_edit", slug, label, academy.code)


@require_POST
@requires("policies.addendum_draft", "policies.approve")
def addendum_move(request, slug: str, label: str, code: str, to: str):
    version = _version_or_404(request, slug, label)
    addendum = get_object_or_404(AcademyAddendum, version=version, academy__code=code)
    form = ReasonForm(request.POST)
    form.is_valid()
    with shown(request) as attempt:
        services.addendum_transition(addendum=addendum, to_status=to, actor=request.user,
                                     reason=form.cleaned_data.get("reason", ""), request=request)
    if attempt:
        addendum.refresh_from_db()
        messages.success(request, f"The {addendum.academy} addendum is now "
                         f"{lower_first(addendum.get_status_display())}.")
    return redirect("policies:version_record", slug, label)
