import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import Academy
from accounts.permissions import academy_scope, can, requires
from approvals import selectors, services
from approvals.forms import (
    FORMS,
    DecisionForm,
    DelegationForm,
    PublicationForm,
    ReasonForm,
    TwoStepRuleForm,
    content_labels,
    display_value,
)
from approvals.models import (
    CLAUSES,
    ApprovalRequest,
    Delegation,
    Kind,
    Status,
    TwoStepRule,
)
from approvals.routing import Router, it_contact, monitoring_decider_role
from approvals.uploads import file_path, file_sha256, store
from approvals.workflow import DECISION_MOVES, TRANSITIONS
from core import uploads
from core.csvfile import csv_response
from core.dates import format_date
from core.errors import shown
from policies.marks import render_marks_html
from policies.redline import word_marks

KIND_HELP = {
    Kind.POST: "Anything you post for the trust or an academy on social media. The Principal "
    "or the CEO approves it before it goes out.",
    Kind.MEDIA: "A journalist or outlet asked you for comment. Do not respond until the "
    "Principal or the CEO has approved a response in writing.",
    Kind.PROFESSIONAL_USE: "Using trust equipment for social media or blogging for your work. "
    "Agreed by your line manager or Principal, with an end date.",
    Kind.DEVICE: "Using your own phone, camera or video recorder when pupils are present. "
    "Agreed by your line manager or Principal, with an end date.",
    Kind.MONITORING: "Line managers: monitoring a member of staff's use of trust systems. "
    "Decided by the CEO (or HR); it ends by itself.",
    Kind.PERMISSION: "Written permission to post about a colleague or stakeholder.",
}


def _kinds_for(user) -> list[tuple[str, str, str, str]]:
    kinds = []
    for kind in Kind:
        if kind == Kind.MONITORING and not can(user, "approvals.request_monitoring"):
            continue
        kinds.append((kind.value, kind.label, CLAUSES[kind], KIND_HELP[kind]))
    return kinds


@requires("approvals.request")
def index(request):
    return render(request, "approvals/index.html", {
        "waiting": selectors.waiting_for_request(request),
        "mine": selectors.my_requests(request.user)[:50],
        "kinds": _kinds_for(request.user),
        "now": timezone.now(),
    })


@requires("approvals.request")
def queue(request):
    return render(request, "approvals/queue.html", {
        "waiting": selectors.waiting_for_request(request), "now": timezone.now(),
        "delegations": Delegation.objects.filter(
            deputy=request.user, ended_at__isnull=True, ends_on__gte=timezone.localdate()
        ).select_related("delegator"),
    })


@requires("approvals.request")
def new(request):
    return render(request, "approvals/new.html", {"kinds": _kinds_for(request.user)})


def _submission(form, *, files_allowed) -> services.Submission:
    stored = []
    for upload in form.cleaned_data.get("files") or []:
        stored.append(store(upload, allowed=files_allowed))
    return services.Submission(
        title=form.cleaned_data["title"], text=form.text(), content=form.content(),
        columns=form.columns(), new_files=stored, kept=form.kept_attachments(),
    )


@requires("approvals.request")
def create(request, kind: str):
    if kind not in FORMS:
        raise Http404("No such kind of request.")
    if kind == Kind.MONITORING and not can(request.user, "approvals.request_monitoring"):
        raise PermissionDenied("Only line managers and Principals can ask for monitoring.")
    form_class = FORMS[kind]
    form = form_class(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        with shown(request, form) as attempt:
            submission = _submission(form, files_allowed=form_class.upload_types)
            req = services.request_submit(kind=kind, requester=request.user,
                                          submission=submission, request=request)
        if attempt:
            messages.success(request, f"Sent for approval ({req.reference}). You will be told "
                             "when it is decided.")
            return redirect("approvals:detail", pk=req.pk)
    return render(request, "approvals/form.html", {
        "form": form, "kind": kind, "kind_label": Kind(kind).label, "clause": CLAUSES[kind],
        "help": KIND_HELP[Kind(kind)], "req": None,
    })


def _content_rows(req, revision) -> list[tuple[str, str]]:
    return [(label, display_value(name, revision.content.get(name), req.kind))
            for name, label in content_labels(req.kind)]


@requires("approvals.request")
def detail(request, pk: int):
    req = selectors.get_request_for_user(request.user, pk)
    return render(request, "approvals/detail.html", _detail_context(request, req))


def _detail_context(request, req, *, decision_form: DecisionForm | None = None) -> dict:
    router = Router()
    revisions = list(req.revisions.prefetch_related("attachments").order_by("number"))
    current = revisions[-1]
    acting = router.acting_for(request.user, req)
    is_requester = request.user.pk == req.requester_id
    frozen_ok = None
    if req.approved_revision_id and req.status in (Status.APPROVED, Status.PUBLISHED):
        frozen = req.approved_revision
        files_ok = all(file_sha256(a.path) == a.sha256 for a in frozen.attachments.all())
        frozen_ok = files_ok and frozen.compute_hash() == req.approved_hash
    events = list(req.events.select_related("actor", "on_behalf_of", "revision"))
    decisions = [e for e in events if e.move in DECISION_MOVES]
    return {
        "req": req, "current": current, "revisions": revisions,
        "last_decision": decisions[-1] if decisions else None,
        "content_rows": _content_rows(req, current),
        "events": events,
        "acting_for": acting,
        "deciders": router.deciders_for(req) if req.status == Status.PENDING else [],
        "decision_form": (decision_form or DecisionForm(kind=req.kind)) if acting else None,
        "is_requester": is_requester,
        "may_edit": _editable(req, request.user, router),
        "may_withdraw": services.may_make(req, "withdraw", request.user, router),
        "may_record": services.may_make(req, "record_publication", request.user, router),
        "may_revoke": services.may_make(req, "revoke", request.user, router),
        "frozen_ok": frozen_ok,
        "now": timezone.now(),
        "it_contact": it_contact() if req.kind == Kind.MONITORING else None,
        "it_contact_emails": (selectors.it_contact_emails(req) if req.kind == Kind.MONITORING
                              else []),
    }


def _editable(req, user, router: Router | None = None) -> bool:
    return any(services.may_make(req, name, user, router) for name in ("resubmit", "reopen"))


@requires("approvals.request")
def edit(request, pk: int):
    req = selectors.get_request_for_user(request.user, pk)
    if request.user.pk != req.requester_id:
        raise Http404("No such request.")
    if not _editable(req, request.user):
        messages.error(request, "This request cannot be changed now.")
        return redirect("approvals:detail", pk=req.pk)
    form_class = FORMS[req.kind]
    current = req.current_revision()
    existing = list(current.attachments.all())
    form = form_class(request.POST or None, request.FILES or None, user=request.user,
                      existing_files=existing,
                      initial=form_class.initial_from(req, current))
    if request.method == "POST" and form.is_valid():
        with shown(request, form) as attempt:
            submission = _submission(form, files_allowed=form_class.upload_types)
            revision = services.request_resubmit(req=req, actor=request.user,
                                                 submission=submission, request=request)
        if attempt:
            messages.success(request, f"Version {revision.number} sent for approval.")
            return redirect("approvals:detail", pk=req.pk)
    return render(request, "approvals/form.html", {
        "form": form, "kind": req.kind, "kind_label": req.get_kind_display(),
        "clause": req.clause, "help": KIND_HELP[Kind(req.kind)], "req": req,
        "reopens": req.status == Status.APPROVED,
    })


@require_POST
@requires("approvals.request")
def decide(request, pk: int):
    req = selectors.get_request_for_user(request.user, pk)
    form = DecisionForm(request.POST, kind=req.kind)
    if not form.is_valid():
        # The same page again with the decision, the reasons and the conditions as typed, the
        # field at fault marked (a redirect would lose them all).
        return render(request, "approvals/detail.html",
                      _detail_context(request, req, decision_form=form), status=400)
    with shown(request) as attempt:
        event = services.request_decide(
            req=req, actor=request.user, outcome=form.cleaned_data["outcome"],
            reasons=form.cleaned_data["reasons"], conditions=form.cleaned_data["conditions"],
            response=form.cleaned_data.get("response", ""), request=request,
        )
    if attempt:
        messages.success(request, f"Recorded: {TRANSITIONS[event.move].label}.")
    return redirect("approvals:detail", pk=req.pk)


@require_POST
@requires("approvals.request")
def withdraw(request, pk: int):
    req = selectors.get_request_for_user(request.user, pk)
    form = ReasonForm(request.POST)
    reasons = form.cleaned_data["reasons"] if form.is_valid() else ""
    with shown(request) as attempt:
        services.request_withdraw(req=req, actor=request.user, reasons=reasons, request=request)
    if attempt:
        messages.success(request, "Request withdrawn.")
    return redirect("approvals:detail", pk=req.pk)


@require_POST
@requires("approvals.request")
def revoke(request, pk: int):
    req = selectors.get_request_for_user(request.user, pk)
    form = ReasonForm(request.POST)
    with shown(request) as attempt:
        if not form.is_valid():
            raise services.ApprovalError("Written reasons are required to revoke.")
        services.request_revoke(req=req, actor=request.user,
                                reasons=form.cleaned_data["reasons"], request=request)
    if attempt:
        messages.success(request, "Revoked. The requester has been told.")
    return redirect("approvals:detail", pk=req.pk)


@requires("approvals.request")
def publication(request, pk: int):
    req = selectors.get_request_for_user(request.user, pk)
    if request.user.pk != req.requester_id or req.kind != Kind.POST:
        raise Http404("No such request.")
    form = PublicationForm(request.POST or None, initial={"published_at": timezone.localtime()
                                                          .strftime("%Y-%m-%dT%H:%M")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with shown(request, form) as attempt:
            services.publication_record(
                req=req, actor=request.user, url=data["url"], published_at=data["published_at"],
                as_approved=data["as_approved"], differences=data["differences"],
                request=request,
            )
        if attempt:
            if data["as_approved"]:
                messages.success(request, "Publication recorded. Thank you.")
            else:
                messages.warning(request, "Recorded. Because it was published differently, "
                                 "edit the request to match and resubmit it for approval.")
            return redirect("approvals:detail", pk=req.pk)
    return render(request, "approvals/publication.html", {"req": req, "form": form})


@requires("approvals.request")
def compare(request, pk: int):
    req = selectors.get_request_for_user(request.user, pk)
    revisions = {r.number: r for r in req.revisions.prefetch_related("attachments")}
    if len(revisions) < 2:
        messages.info(request, "There is only one version so far.")
        return redirect("approvals:detail", pk=req.pk)
    numbers = sorted(revisions)
    try:
        new_n = int(request.GET.get("b", numbers[-1]))
        old_n = int(request.GET.get("a", numbers[numbers.index(new_n) - 1]
                                    if new_n in numbers[1:] else numbers[0]))
    except (ValueError, IndexError):
        raise Http404("No such version.") from None
    if old_n not in revisions or new_n not in revisions:
        raise Http404("No such version.")
    old, new_rev = revisions[old_n], revisions[new_n]
    rows = []
    for name, label in content_labels(req.kind):
        before = display_value(name, old.content.get(name), req.kind)
        after = display_value(name, new_rev.content.get(name), req.kind)
        rows.append({"label": label, "before": before, "after": after,
                     "changed": before != after})
    old_files = {a.sha256: a for a in old.attachments.all()}
    new_files = {a.sha256: a for a in new_rev.attachments.all()}
    return render(request, "approvals/compare.html", {
        "req": req, "old": old, "new": new_rev, "numbers": numbers, "rows": rows,
        "text_html": render_marks_html(word_marks(old.text, new_rev.text)),
        "text_changed": old.text != new_rev.text,
        "files_added": [a for sha, a in new_files.items() if sha not in old_files],
        "files_removed": [a for sha, a in old_files.items() if sha not in new_files],
        "files_kept": [a for sha, a in new_files.items() if sha in old_files],
    })


@requires("approvals.request")
def attachment(request, pk: int):
    item = selectors.get_attachment_for_user(request.user, pk)
    try:
        path = file_path(item.path)
    except uploads.UploadRejected:
        raise Http404("No such file.") from None
    if not path.exists():
        raise Http404("The file is missing from storage.")
    response = FileResponse(path.open("rb"),
                            content_type=uploads.download_content_type(item.content_type),
                            as_attachment=request.GET.get("download") == "1",
                            filename=uploads.download_name(item.original_name, item.content_type))
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _month(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(f"{value}-01")
    except ValueError:
        return timezone.localdate().replace(day=1)


@requires("approvals.registers")
def calendar(request):
    scope = academy_scope(request.user)
    academies = Academy.objects.all() if scope is None else Academy.objects.filter(pk__in=scope)
    academy = None
    code = request.GET.get("academy", "")
    if code:
        academy = academies.filter(code=code).first()
        if academy is None:
            raise Http404("No such academy.")
    elif scope:
        academy = academies.first()
    start = _month(request.GET.get("month", ""))
    end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    posts = selectors.scheduled_posts(request.user, academy_id=academy.pk if academy else None,
                                      start=start, end=end)
    days: dict[datetime.date, list[ApprovalRequest]] = {}
    for post in posts:
        days.setdefault(timezone.localtime(post.publish_at).date(), []).append(post)
    return render(request, "approvals/calendar.html", {
        "academies": academies, "academy": academy, "month": start, "days": sorted(days.items()),
        "previous": (start - datetime.timedelta(days=1)).strftime("%Y-%m"),
        "next": (end + datetime.timedelta(days=1)).strftime("%Y-%m"),
        "show_all_option": scope is None,
    })


@requires("approvals.registers")
def register(request):
    kinds = [Kind.PROFESSIONAL_USE, Kind.DEVICE, Kind.PERMISSION, Kind.MEDIA]
    chosen = request.GET.get("kind", "")
    if chosen in {k.value for k in kinds}:
        kinds = [Kind(chosen)]
    include_ended = request.GET.get("ended") == "1"
    requests = selectors.register_queryset(request.user, kinds=kinds,
                                           include_ended=include_ended)
    if request.GET.get("format") == "csv":
        return csv_response(f"approvals-register-{timezone.localdate():%Y-%m-%d}.csv",
                    selectors.register_rows(requests))
    return render(request, "approvals/register.html", {
        "requests": requests, "kinds": [(k.value, k.label) for k in
                                        (Kind.PROFESSIONAL_USE, Kind.DEVICE, Kind.PERMISSION,
                                         Kind.MEDIA)],
        "chosen": chosen, "include_ended": include_ended, "today": timezone.localdate(),
    })


@requires("approvals.monitoring_register")
def monitoring_register(request):
    requests = (selectors.visible_to(request.user).filter(kind=Kind.MONITORING)
                .select_related("requester", "academy", "subject_person", "decided_by")
                .order_by("-created_at"))
    if request.GET.get("format") == "csv":
        return csv_response(f"monitoring-register-{timezone.localdate():%Y-%m-%d}.csv",
                    selectors.register_rows(requests))
    return render(request, "approvals/monitoring_register.html", {
        "requests": requests, "today": timezone.localdate(),
        "decider_role": monitoring_decider_role(), "it_contact": it_contact(),
    })


@requires("approvals.delegate")
def delegations(request):
    form = DelegationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with shown(request, form) as attempt:
            services.delegation_create(delegator=request.user, deputy=data["deputy"],
                                       starts_on=data["starts_on"], ends_on=data["ends_on"],
                                       reason=data["reason"], request=request)
        if attempt:
            messages.success(request, f"{data['deputy'].full_name} is your deputy from "
                             f"{format_date(data['starts_on'])} to {format_date(data['ends_on'])}.")
            return redirect("approvals:delegations")
    return render(request, "approvals/delegations.html", {
        "form": form, "today": timezone.localdate(),
        "given": Delegation.objects.filter(delegator=request.user).select_related("deputy"),
    })


@require_POST
@requires("approvals.delegate")
def delegation_end(request, pk: int):
    delegation = get_object_or_404(Delegation, pk=pk, delegator=request.user)
    with shown(request) as attempt:
        services.delegation_end(delegation=delegation, actor=request.user, request=request)
    if attempt:
        messages.success(request, "Delegation ended.")
    return redirect("approvals:delegations")


@requires("approvals.configure")
def routing(request):
    form = TwoStepRuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with shown(request, form) as attempt:
            services.two_step_rule_add(academy=form.cleaned_data["academy"],
                                       account=form.cleaned_data["account"],
                                       actor=request.user, request=request)
        if attempt:
            messages.success(request, "Rule added. New posts that match need two steps.")
            return redirect("approvals:routing")
    return render(request, "approvals/routing.html", {
        "form": form, "rules": TwoStepRule.objects.select_related("academy", "created_by"),
        "decider_role": monitoring_decider_role(), "it_contact": it_contact(),
        "decision_days": services.decision_days(),
    })


@require_POST
@requires("approvals.configure")
def routing_remove(request, pk: int):
    rule = get_object_or_404(TwoStepRule, pk=pk)
    with shown(request) as attempt:
        services.two_step_rule_remove(rule=rule, actor=request.user, request=request)
    if attempt:
        messages.success(request, "Rule removed.")
    return redirect("approvals:routing")

