"""What everyone does: make a report (drafts, autosave), follow it, answer one about them."""

import uuid

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.permissions import can, requires
from breaches import forms, selectors, services
from breaches.access import (
    case_roles,
    get_case_about_user,
    get_own_report_for_user,
    on_case_team,
)
from breaches.models import Case, ReportDraft, State
from breaches.workflow import available_moves
from core.errors import shown
from core.uploads import UploadRejected

SENT_SESSION_KEY = "breaches_report_sent"

# --------------------------------------------------------------------------- reporting

#: The columns the report page lists of a case (it has some forty).
LISTED_COLUMNS = ("id", "reference", "state", "created_at")


@requires("breaches.report")
def report_home(request):
    user = request.user
    mine = (Case.objects.filter(reporter=user, anonymous=False).order_by("-created_at")
            .only(*LISTED_COLUMNS))
    about_me = (Case.objects.filter(concerned=user, concerned_notified_at__isnull=False)
                .only(*LISTED_COLUMNS))
    return render(request, "breaches/home.html", {
        "mine": mine, "about_me": about_me,
        "draft": services.draft_for(user),
        "can_log": can(user, "breaches.log_on_behalf"),
        "can_handle": on_case_team(user),
    })


def _draft_data(request) -> dict:
    return {key: values if key == "clauses" else values[-1]
            for key, values in request.POST.lists()}


def _posted_token(request) -> str | None:
    """The form page's draft token (a UUID), or None when missing or malformed."""
    try:
        return str(uuid.UUID(request.POST.get("draft_token", "")))
    except ValueError:
        return None


def _report_form_page(request, *, on_behalf: bool):
    try:
        return _report_form_page_inner(request, on_behalf=on_behalf)
    except services.DraftSpent as error:
        messages.error(request, str(error))
        return redirect(request.path)


def _report_form_page_inner(request, *, on_behalf: bool):
    user = request.user
    kind = ReportDraft.Kind.ON_BEHALF if on_behalf else ReportDraft.Kind.OWN
    form_class = forms.OnBehalfForm if on_behalf else forms.ReportForm
    draft = services.draft_for(user, kind)
    action = request.POST.get("action", "")
    form = None
    token = _posted_token(request) if request.method == "POST" else None
    if request.method == "POST":
        if action == "discard":
            services.draft_discard(owner=user, kind=kind, token=token)
            messages.success(request, "The draft and its files have been deleted.")
            return redirect(request.path)
        if action.startswith("remove-"):
            services.draft_save(owner=user, data=_draft_data(request), kind=kind, token=token)
            try:
                services.draft_remove_evidence(owner=user, evidence_id=int(action[7:]))
            except ValueError:
                pass
            messages.success(request, "The file was removed from your draft.")
            return redirect(request.path)
        if action == "save":
            services.draft_save(owner=user, data=_draft_data(request), kind=kind, token=token)
            messages.success(request, "Draft saved. It will be here when you come back.")
            return redirect(request.path)
        form = form_class(request.POST, request.FILES, reporter=None if on_behalf else user)
        if action == "attach":
            form.is_valid()  # for the evidence fields only
            upload = request.FILES.get("evidence_file")
            if upload is None:
                form.add_error("evidence_file", "Choose a file to attach.")
            elif form.evidence_fields_ok(cyberbullying=bool(request.POST.get("cyberbullying"))):
                try:
                    services.draft_attach_evidence(
                        owner=user, upload=upload, kind=kind, data=_draft_data(request),
                        token=token,
                        description=request.POST.get("evidence_description", ""),
                        captured_at=form.cleaned_data.get("evidence_captured_at"),
                        site=request.POST.get("evidence_site", ""),
                    )
                except UploadRejected as error:
                    form.add_error("evidence_file", str(error))
                else:
                    messages.success(request, f"“{upload.name}” is attached to your draft.")
                    return redirect(request.path)
            services.draft_save(owner=user, data=_draft_data(request), kind=kind, token=token)
        elif form.is_valid():
            response = _submit(request, form, kind=kind, on_behalf=on_behalf, token=token)
            if response is not None:
                return response
            services.draft_save(owner=user, data=_draft_data(request), kind=kind, token=token)
        else:
            services.draft_save(owner=user, data=_draft_data(request), kind=kind, token=token)
        draft = services.draft_for(user, kind)
    if form is None:
        form = form_class(initial=draft.data if draft else None,
                          reporter=None if on_behalf else user)
    version = selectors.current_policy_version()
    return render(request, "breaches/report_form.html", {
        "form": form, "draft": draft, "on_behalf": on_behalf,
        "draft_token": draft.token if draft else (token or uuid.uuid4()),
        "draft_files": draft.evidence.all() if draft else [],
        "policy_version": version,
        "autosave_url": reverse("breaches:report_autosave_behalf" if on_behalf
                                else "breaches:report_autosave"),
        "max_mb": _max_mb(),
    })


def _max_mb() -> int:
    from breaches.evidence import max_bytes

    return max_bytes() // 1048576


def _submit(request, form, *, kind: str, on_behalf: bool, token=None):
    data = dict(form.cleaned_data)
    upload = request.FILES.get("evidence_file")
    if upload is not None:
        if not form.evidence_fields_ok(cyberbullying=bool(data.get("cyberbullying"))):
            return None
        try:
            services.draft_attach_evidence(
                owner=request.user, upload=upload, kind=kind, data=_draft_data(request),
                token=token,
                description=data.get("evidence_description") or "",
                captured_at=data.get("evidence_captured_at"),
                site=data.get("evidence_site") or "",
            )
        except UploadRejected as error:
            form.add_error("evidence_file", str(error))
            return None
    draft = services.draft_for(request.user, kind)
    if data.get("cyberbullying") and draft is not None:
        missing = [e.original_name for e in draft.evidence.all()
                   if not (e.captured_at and e.site)]
        if missing:
            form.add_error("cyberbullying", "For cyber-bullying every file needs the time, date "
                           "and place of the site. Remove and attach again: " + ", ".join(missing))
            return None
    with shown(request, form) as attempt:
        case = services.report_submit(
            reporter=request.user, data=data, draft_kind=kind,
            logged_by=request.user if on_behalf else None, request=request,
            draft_token=token,
        )
    if not attempt:
        return None
    request.session[SENT_SESSION_KEY] = {
        "reference": case.reference, "pk": None if case.anonymous else case.pk,
        "safeguarding": case.safeguarding, "cpoms": bool(case.cpoms_reference),
        "anonymous": case.anonymous, "on_behalf": on_behalf,
        "routed_to": selectors.routed_to_label(case),
    }
    return redirect("breaches:report_sent")


@requires("breaches.report")
def report_new(request):
    return _report_form_page(request, on_behalf=False)


@requires("breaches.log_on_behalf")
def report_log(request):
    return _report_form_page(request, on_behalf=True)


def _autosave(request, kind: str):
    """Save the draft from report.js. Needs the page's draft token: a page whose report was
    sent (or whose draft was deleted) gets 409 and nothing is written, so a late autosave can
    never bring a sent report back as a draft."""
    token = _posted_token(request)
    if token is None:
        return JsonResponse({"error": "Reload the form: it is out of date."}, status=400)
    try:
        draft = services.draft_save(owner=request.user, data=_draft_data(request), kind=kind,
                                    token=token)
    except services.DraftSpent as error:
        return JsonResponse({"error": str(error), "spent": True}, status=409)
    return JsonResponse({"saved_at": draft.updated_at.isoformat()})


@require_POST
@requires("breaches.report")
def report_autosave(request):
    return _autosave(request, ReportDraft.Kind.OWN)


@require_POST
@requires("breaches.log_on_behalf")
def report_autosave_behalf(request):
    return _autosave(request, ReportDraft.Kind.ON_BEHALF)


@requires("breaches.report")
def report_sent(request):
    sent = request.session.get(SENT_SESSION_KEY)
    if not sent:
        return redirect("breaches:home")
    return render(request, "breaches/report_sent.html", {"sent": sent})


@requires("breaches.report")
def my_report(request, pk: int):
    case = get_own_report_for_user(request.user, pk)
    form = forms.ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with shown(request) as attempt:
            services.case_reply(case=case, actor=request.user, body=form.cleaned_data["body"],
                                request=request)
        if attempt:
            messages.success(request, "Your message has been sent to the person handling it.")
        return redirect(request.path)
    return render(request, "breaches/my_report.html", {
        "case": case, "form": form,
        "messages_for_me": case.messages.filter(recipient=request.user),
    })


@requires("breaches.report")
def about_me(request, pk: int):
    case = get_case_about_user(request.user, pk)
    appeal_form = forms.AppealForm()
    reply_form = forms.ReplyForm()
    if request.method == "POST":
        if request.POST.get("action") == "appeal":
            appeal_form = forms.AppealForm(request.POST)
            if appeal_form.is_valid():
                with shown(request) as attempt:
                    services.case_transition(case=case, target=State.APPEAL, actor=request.user,
                                             reason=appeal_form.cleaned_data["reason"],
                                             request=request)
                if attempt:
                    messages.success(request, "Your appeal has been lodged.")
                    return redirect(request.path)
        else:
            reply_form = forms.ReplyForm(request.POST)
            if reply_form.is_valid():
                with shown(request) as attempt:
                    services.case_reply(case=case, actor=request.user,
                                        body=reply_form.cleaned_data["body"], request=request)
                if attempt:
                    messages.success(request, "Your message has been sent.")
                return redirect(request.path)
    services.case_record_view(case=case, actor=request.user, request=request,
                              action="breaches.allegation_viewed",
                              summary="The person concerned read the allegation")
    roles = case_roles(case, request.user)
    can_appeal = State.APPEAL in [m.target for m in available_moves(case, roles)]
    return render(request, "breaches/about_me.html", {
        "case": case, "appeal_form": appeal_form, "reply_form": reply_form,
        "can_appeal": can_appeal,
        "messages_for_me": case.messages.filter(recipient=request.user),
        "cited": case.cited_clauses.select_related("version__policy").order_by("order"),
        "breached": [(c, selectors.clause_url(c)) for c in
                     case.clauses_breached.select_related("version__policy").order_by("order")],
    })


