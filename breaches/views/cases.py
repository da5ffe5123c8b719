"""The case team's pages: the list, the register, the case, its moves and actions."""

from functools import wraps

from allauth.core.exceptions import ReauthenticationRequired
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import Academy
from accounts.permissions import can, requires
from audit.models import AuditEvent
from audit.services import audit_log
from breaches import forms, selectors, services
from breaches.access import (
    case_roles,
    on_case_team,
    recently_authenticated,
)
from breaches.models import Case, CaseItem, State
from breaches.workflow import CASES, CaseError, available_moves, may
from core import uploads
from core.csvfile import csv_response
from core.errors import shown


def case_team_view(view):
    """Signed in; the case exists for this person (404 otherwise); recently authenticated.

    Opening a case or its evidence asks for the password or an authenticator code again when
    the person has not authenticated in the last ACCOUNT_REAUTHENTICATION_TIMEOUT seconds.
    """

    @login_required
    @never_cache
    @wraps(view)
    def wrapper(request, pk, *args, **kwargs):
        case = selectors.get_case_for_user(request.user, pk)
        if not recently_authenticated(request):
            raise ReauthenticationRequired()
        return view(request, case, *args, **kwargs)

    return wrapper


# --------------------------------------------------------------------------- the case team

@login_required
@never_cache
def case_list(request):
    if not on_case_team(request.user):
        raise PermissionDenied("You do not have permission to see this page.")
    state = request.GET.get("state", "open")
    cases = selectors.handler_case_list(
        request.user, state=state, academy=request.GET.get("academy", ""),
        overdue=request.GET.get("overdue") == "1", q=request.GET.get("q", "").strip()[:100],
        safeguarding=request.GET.get("safeguarding") == "1",
    )
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    selectors.mark_overdue(page.object_list)
    academies = Academy.objects.filter(
        pk__in=selectors.cases_visible_to(request.user).values("academy_id"))
    return render(request, "breaches/case_list.html", {
        "page": page, "rows": page.object_list, "states": State.choices,
        "academies": academies, "state": state,
        "can_see_statistics": can(request.user, "breaches.statistics"),
    })


@login_required
@never_cache
def case_export(request):
    if not on_case_team(request.user):
        raise PermissionDenied("You do not have permission to see this page.")
    if not recently_authenticated(request):
        raise ReauthenticationRequired()
    rows = selectors.case_register_rows(request.user)
    audit_log(action="breaches.register_exported", actor=request.user,
                       summary=f"Exported the case register ({len(rows) - 1} cases)",
                       request=request)
    return csv_response("case-register.csv", rows[1:], header=rows[0])


@case_team_view
def case_detail(request, case: Case):
    services.case_record_view(case=case, actor=request.user, request=request)
    return _case_page(request, case)


def _case_page(request, case: Case, *, refused: tuple[str, object] | None = None):
    """The case page; with `refused` (the form's name on the page, the bound form), that form
    comes back as it was sent, open, with what was wrong (status 400): nothing typed is lost."""
    user = request.user
    roles = case_roles(case, user)
    items = list(case.items.select_related("addressed_to", "created_by"))
    evidence = list(case.evidence.filter(deleted_at__isnull=True))
    from django.utils import timezone

    today = timezone.localdate()
    for item in items:
        item.overdue = item.is_open and item.deadline < today
    return render(request, "breaches/case_detail.html", {
        "case": case, "roles": roles,
        "moves": available_moves(case, roles),
        "may": {action: may(action, roles) for action in (
            "assign_handler", "add_member", "add_item", "record_compliance", "add_evidence",
            "message", "notify_concerned", "set_hearer", "legal_hold", "record_cpoms")},
        "due": selectors.case_due(case), "overdue": selectors.is_overdue(case) and not
        case.is_final,
        "timeline": case.events.select_related("actor"),
        "items": items, "tasks": [i for i in items if i.is_open],
        "evidence": evidence,
        "cited": [(c, selectors.clause_url(c)) for c in
                  case.cited_clauses.select_related("version__policy").order_by("order")],
        "breached": [(c, selectors.clause_url(c)) for c in
                     case.clauses_breached.select_related("version__policy").order_by("order")],
        "members": case.members.filter(removed_at__isnull=True).select_related("person"),
        "case_messages": case.messages.select_related("recipient", "author"),
        # Each form's ids start with its own prefix ("item_body", "message_body"), so no two
        # controls on the page share an id and every label names exactly one control. The
        # field names (what is posted) stay as they are.
        "item_form": forms.ItemForm(auto_id="item_%s"),
        "member_form": forms.MemberForm(auto_id="member_%s"),
        "message_form": forms.MessageForm(auto_id="message_%s"),
        "notify_form": forms.NotifyConcernedForm(auto_id="notify_%s"),
        "evidence_form": forms.EvidenceForm(auto_id="evidence_%s"),
        "hearer_form": forms.HearerForm(auto_id="hearer_%s"),
        "hold_form": forms.LegalHoldForm(auto_id="hold_%s",
                                         initial={"hold": "off" if case.legal_hold else "on"}),
        "assign_form": forms.AssignForm(auto_id="assign_%s",
                                        handlers=services.eligible_handlers(case)),
        "views": AuditEvent.objects.for_object(case).filter(action="breaches.case_viewed")
        .select_related("actor")[:20],
        "today": today,
        "clause_103_url": selectors.safeguarding_clause_url(),
        "cpoms_form": forms.CpomsForm(auto_id="cpoms_%s"),
        **({refused[0]: refused[1], "open_form": refused[0]} if refused else {}),
    }, status=400 if refused else 200)


def _move_form(case, move, data=None):
    if move.name == "triage":
        return forms.TriageForm(data, handlers=services.eligible_handlers(case),
                                initial={"handler": case.handler_id})
    if move.name == "outcome":
        return forms.OutcomeForm(data, case=case)
    if move.name == "decide_appeal":
        return forms.AppealDecisionForm(data)
    if move.name == "appeal":
        return forms.AppealForm(data)
    return forms.ReasonForm(data)


@case_team_view
def case_move(request, case: Case, target: str):
    move = CASES.between(case.state, target)
    roles = case_roles(case, request.user)
    if move is None or not move.who & roles:
        messages.error(request, "That move is not possible on this case now.")
        return redirect("breaches:case_detail", case.pk)
    form = _move_form(case, move, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        with shown(request, form) as attempt:
            services.case_transition(case=case, target=target, actor=request.user,
                                     reason=data.pop("reason", "") or "", data=data,
                                     request=request)
        if attempt:
            messages.success(request, f"Done: {move.label.lower()}.")
            return redirect("breaches:case_detail", case.pk)
    return render(request, "breaches/case_move.html", {"case": case, "move": move,
                                                      "form": form})


def _case_action(form_name: str | None = None, make_form=None):
    """A POST-only case action. `make_form(request, case)` binds the action's form (`form_name`
    on the case page); the action gets it valid and returns what to tell the person. An invalid
    form or a refusal (`CaseError`, said at the top of the page) shows the case page again with
    that form as it was sent, open: nothing typed is lost. Without a form, a refusal is said
    and the person is taken back to the case."""

    def decorate(action):
        @require_POST
        @case_team_view
        @wraps(action)
        def view(request, case: Case, *args, **kwargs):
            form = make_form(request, case) if make_form else None
            if form is not None and not form.is_valid():
                messages.error(request, "Nothing was recorded: check the answers marked in the "
                                        "form below.")
                return _case_page(request, case, refused=(form_name, form))
            with shown(request) as attempt:
                done = action(request, case, form, *args, **kwargs)
            if not attempt and form is not None:
                return _case_page(request, case, refused=(form_name, form))
            if attempt:
                messages.success(request, done)
            return redirect(reverse("breaches:case_detail", args=[case.pk]) + "#work")

        return view

    return decorate


@_case_action("item_form", lambda request, case: forms.ItemForm(request.POST, auto_id="item_%s"))
def case_item_add(request, case, form):
    services.case_item_add(case=case, actor=request.user, request=request, **form.cleaned_data)
    return f"{CaseItem.Kind(form.cleaned_data['kind']).label} recorded."


@_case_action()
def case_item_compliance(request, case, form, item_id: int):
    compliance = forms.ComplianceForm(request.POST)
    if not compliance.is_valid():
        raise CaseError("Say whether the request was complied with.")
    services.case_item_record_compliance(case=case, actor=request.user, item_id=item_id,
                                         complied=compliance.cleaned_data["complied"],
                                         note=compliance.cleaned_data["note"], request=request)
    return "Compliance recorded."


@_case_action("member_form",
              lambda request, case: forms.MemberForm(request.POST, auto_id="member_%s"))
def case_member_add(request, case, form):
    services.case_member_add(case=case, actor=request.user, request=request, **form.cleaned_data)
    return "Added to the case."


@_case_action()
def case_member_remove(request, case, form, member_id: int):
    services.case_member_remove(case=case, actor=request.user, member_id=member_id,
                                request=request)
    return "Removed from the case."


@_case_action("message_form",
              lambda request, case: forms.MessageForm(request.POST, auto_id="message_%s"))
def case_message(request, case, form):
    services.case_message_send(case=case, actor=request.user, request=request,
                               **form.cleaned_data)
    return "Message sent."


@_case_action("notify_form",
              lambda request, case: forms.NotifyConcernedForm(request.POST, auto_id="notify_%s"))
def case_notify(request, case, form):
    services.case_notify_concerned(case=case, actor=request.user, request=request,
                                   message=form.cleaned_data["message"])
    return "The person concerned has been notified."


@_case_action("evidence_form", lambda request, case: forms.EvidenceForm(
    request.POST, request.FILES, auto_id="evidence_%s"))
def case_evidence_add(request, case, form):
    data = form.cleaned_data
    if case.cyberbullying and not (data["captured_at"] and data["site"]):
        raise CaseError("For cyber-bullying each file needs the time, date and place of the "
                        "site (Appendix A 3.2).")
    services.case_evidence_add(case=case, actor=request.user, upload=data["file"],
                               description=data["description"],
                               captured_at=data["captured_at"], site=data["site"],
                               request=request)
    return "Evidence added."


@_case_action("hearer_form",
              lambda request, case: forms.HearerForm(request.POST, auto_id="hearer_%s"))
def case_hearer(request, case, form):
    services.case_set_hearer(case=case, actor=request.user, hearer=form.cleaned_data["hearer"],
                             request=request)
    return "Appeal hearer set."


@_case_action("hold_form",
              lambda request, case: forms.LegalHoldForm(request.POST, auto_id="hold_%s"))
def case_hold(request, case, form):
    services.case_legal_hold(case=case, actor=request.user, request=request,
                             **form.cleaned_data)
    return "Legal hold updated."


@_case_action("cpoms_form",
              lambda request, case: forms.CpomsForm(request.POST, auto_id="cpoms_%s"))
def case_cpoms(request, case, form):
    services.case_cpoms_record(case=case, actor=request.user, request=request,
                               **form.cleaned_data)
    return "CPOMS reference recorded."


@_case_action("assign_form", lambda request, case: forms.AssignForm(
    request.POST, handlers=services.eligible_handlers(case), auto_id="assign_%s"))
def case_assign(request, case, form):
    services.case_assign_handler(case=case, actor=request.user, request=request,
                                 **form.cleaned_data)
    return "Handler changed."


@login_required
@never_cache
def evidence_download(request, pk: int):
    evidence = selectors.evidence_for_user(request.user, pk)
    if not recently_authenticated(request):
        raise ReauthenticationRequired()
    path = evidence.path
    if not path.is_file():
        raise Http404("The file is no longer stored.")
    services.evidence_record_download(evidence=evidence, actor=request.user, request=request)
    response = FileResponse(
        open(path, "rb"), as_attachment=True,
        filename=uploads.download_name(evidence.original_name, evidence.content_type),
        content_type=uploads.download_content_type(evidence.content_type))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@requires("breaches.statistics")
def statistics(request):
    import datetime

    def _date(name):
        try:
            return datetime.date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None

    stats = selectors.anonymised_statistics(date_from=_date("from"), date_to=_date("to"))
    tables = [(title, stats[key]) for key, title in (
        ("by_clause", "Clauses found breached"), ("by_clause_cited", "Clauses cited in reports"),
        ("by_platform", "Platform"), ("by_outcome", "Outcome"), ("by_academy", "Academy"),
        ("by_state", "Stage"))]
    return render(request, "breaches/statistics.html", {"stats": stats, "tables": tables})
