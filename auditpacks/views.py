from allauth.core.exceptions import ReauthenticationRequired
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.permissions import academy_scope, can, may_export_roster, requires
from audit.services import audit_log
from auditpacks import exports, services
from auditpacks.forms import PACKABLE_STATUSES, PolicyPackForm, VerifyForm
from auditpacks.models import Pack
from auditpacks.selectors import case_packs_for_user, get_pack_for_user
from auditpacks.sources import SourceUnavailable, roster_section, selector
from core.csvfile import csv_response
from core.errors import shown
from policies.models import PolicyVersion


def _require_fresh_sign_in(request) -> None:
    """What reveals a case's content (its pack, the pack's file, the case register) asks for
    the password or an authenticator code again, exactly as the case page does
    (breaches.access.recently_authenticated: ACCOUNT_REAUTHENTICATION_TIMEOUT)."""
    try:
        recently_authenticated = selector("breaches.access", "recently_authenticated")
    except SourceUnavailable:
        return
    if not recently_authenticated(request):
        raise ReauthenticationRequired()


@requires("auditpacks.policy_pack", "auditpacks.verify")
def index(request):
    if not can(request.user, "auditpacks.policy_pack"):
        return redirect("auditpacks:verify")
    form = PolicyPackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with shown(request, form) as attempt:
            pack = services.pack_request_policy(
                actor=request.user, version=data["version"], policy=data["policy"],
                date_from=data["date_from"], date_to=data["date_to"], request=request,
            )
        if attempt:
            # Says nothing that goes stale: the progress below tells how far the build is.
            messages.success(request, f"Asked for pack {pack.document_id}. You can leave "
                                      "this page: it will be listed under Audit packs.")
            return redirect("auditpacks:detail", document_id=pack.document_id)
    packs = Pack.objects.policy_packs().select_related("policy_version__policy", "requested_by")
    return render(request, "auditpacks/index.html", {
        "form": form,
        "packs": packs[:50],
        "case_packs": case_packs_for_user(request.user)[:20],
        "can_export_cases": can(request.user, "breaches.handle"),
        "can_export_approvals": can(request.user, "approvals.registers"),
    })


@login_required
def detail(request, document_id: str):
    pack = get_pack_for_user(request.user, document_id)
    template = "auditpacks/_progress.html" if request.htmx else "auditpacks/detail.html"
    return render(request, template, {"pack": pack})


@login_required
@require_POST
def retry(request, document_id: str):
    pack = get_pack_for_user(request.user, document_id)
    with shown(request):
        services.pack_retry(pack=pack, actor=request.user, request=request)
    return redirect("auditpacks:detail", document_id=pack.document_id)


@login_required
def download(request, document_id: str):
    pack = get_pack_for_user(request.user, document_id)
    if pack.kind == Pack.Kind.CASE:
        _require_fresh_sign_in(request)
    path = pack.file_path
    if pack.status != Pack.Status.READY or path is None or not path.exists():
        messages.error(request, "This pack has no file to download: it is not ready, it "
                                "failed, or its keep period has passed. Ask for a new one.")
        return redirect("auditpacks:detail", document_id=pack.document_id)
    services.pack_download_record(pack=pack, actor=request.user, request=request)
    response = FileResponse(open(path, "rb"), content_type="application/pdf",
                            as_attachment=True, filename=pack.download_name)
    response["Cache-Control"] = "private, no-store"
    return response


@requires("breaches.handle")
def case_list(request):
    """The cases this person may make a hearing pack of (the case team's cases)."""
    try:
        cases_visible_to = selector("breaches.selectors", "cases_visible_to")
    except SourceUnavailable:
        cases = []
    else:
        cases = (cases_visible_to(request.user).select_related("academy")
                 .order_by("-created_at")[:200])
    return render(request, "auditpacks/case_list.html", {
        "cases": cases, "case_packs": case_packs_for_user(request.user)[:50],
    })


@login_required
def case_pack(request, case_pk: str):
    """Confirm and ask for the pack of one breach case (404 for anyone who may not see it)."""
    try:
        get_case_for_user = selector("breaches.selectors", "get_case_for_user")
    except SourceUnavailable as exc:
        raise Http404("Breach cases are not available yet.") from exc
    case = get_case_for_user(request.user, case_pk)
    _require_fresh_sign_in(request)
    if request.method == "POST":
        pack = services.pack_request_case(actor=request.user, case_pk=case.pk, request=request)
        messages.success(request, f"Asked for case pack {pack.document_id}.")
        return redirect("auditpacks:detail", document_id=pack.document_id)
    previous = [p for p in case_packs_for_user(request.user) if p.case_id == str(case.pk)]
    return render(request, "auditpacks/case_pack.html", {"case": case, "previous": previous})


@requires("auditpacks.verify")
def verify(request):
    form = VerifyForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with shown(request, form, field="file"):
            result = services.pack_verify(data=upload.read(), actor=request.user,
                                          request=request, file_name=upload.name)
    return render(request, "auditpacks/verify.html", {"form": form, "result": result})


# --------------------------------------------------------------------------- exports


def _export_response(request, *, name: str, fmt: str, headers, cells, title: str,
                     about=None):
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    stamp = timezone.localdate().strftime("%Y-%m-%d")
    filename = f"{name}-{stamp}.{fmt}"
    audit_log(action="auditpacks.export_downloaded", actor=request.user, obj=about,
              request=request, summary=f"Exported {title} ({fmt.upper()}, {len(cells)} rows)",
              changes={"export": name, "format": fmt, "rows": len(cells)})
    if fmt == "csv":
        return csv_response(filename, cells, header=headers)
    response = HttpResponse(
        exports.to_xlsx(headers, cells, title),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@requires("compliance.academy")
def export_roster(request, version_pk: int, fmt: str):
    version = get_object_or_404(PolicyVersion.objects.select_related("policy"), pk=version_pk,
                                status__in=PACKABLE_STATUSES)
    if not may_export_roster(request.user):
        raise PermissionDenied("You may not export the roster.")
    scope = academy_scope(request.user)
    academy = None
    if scope is not None:
        from accounts.models import Academy

        academy = Academy.objects.get(pk=scope[0])
    section = roster_section(version, academy=academy)
    if not section.available:
        messages.error(request, section.note)
        return redirect("auditpacks:exports")
    rows = [row for group in section.data["academies"] for row in group["rows"]]
    headers, cells = exports.table_from_rows(rows, exports.ROSTER_COLUMNS)
    return _export_response(request, name=f"roster-{version.policy.slug}-{version.label}",
                            fmt=fmt, headers=headers, cells=cells,
                            title=f"Roster {version.label}", about=version)


@requires("breaches.handle")
def export_cases(request, fmt: str):
    try:
        case_register_rows = selector("breaches.selectors", "case_register_rows")
    except SourceUnavailable as exc:
        messages.error(request, f"The case register is not available yet ({exc}).")
        return redirect("auditpacks:exports")
    if fmt not in {"csv", "xlsx"}:
        raise Http404  # before asking for a sign-in: there is nothing here to reveal
    _require_fresh_sign_in(request)
    headers, cells = exports.table_from_rows(case_register_rows(request.user))
    return _export_response(request, name="case-register", fmt=fmt, headers=headers,
                            cells=cells, title="Case register")


@requires("approvals.registers")
def export_approvals(request, register: str, fmt: str):
    from auditpacks.selectors import approvals_registers

    registers = approvals_registers(request.user)
    if registers is None:
        messages.error(request, "The approvals registers are not available yet.")
        return redirect("auditpacks:exports")
    if register not in registers:
        raise Http404
    title, rows = registers[register]
    headers, cells = exports.table_from_rows(rows)
    return _export_response(request, name=f"approvals-{register}", fmt=fmt, headers=headers,
                            cells=cells, title=title)


@requires("compliance.academy", "breaches.handle", "approvals.registers")
def export_list(request):
    from auditpacks.selectors import approvals_registers

    versions = []
    if may_export_roster(request.user):
        versions = PolicyVersion.objects.filter(status__in=PACKABLE_STATUSES).select_related(
            "policy").order_by("policy__title", "-created_at")
    may_export_approvals = can(request.user, "approvals.registers")
    registers = approvals_registers(request.user) if may_export_approvals else None
    return render(request, "auditpacks/exports.html", {
        "versions": versions,
        "can_export_cases": can(request.user, "breaches.handle"),
        "can_export_approvals": may_export_approvals,
        "registers": registers,
        "back": reverse("auditpacks:index") if can(request.user, "auditpacks.policy_pack") else "",
    })
