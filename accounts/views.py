import hashlib
import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts import services
from accounts.forms import PersonForm, StaffImportForm
from accounts.models import Academy, Category, Role
from accounts.permissions import can, requires
from accounts.pickers import (
    PICKERS,
    SAFE_NAME,
    SEARCH_LIMIT,
    SEARCH_MIN_CHARS,
    results_context,
    search_people,
)
from accounts.selectors import people_search, people_visible_to
from audit.models import AuditEvent
from core import navcache, uploads

IMPORT_SESSION_KEY = "staff_import_pending"


@requires("people.view")
def people_list(request):
    filters = {name: request.GET.get(name, "") for name in ("q", "academy", "category", "leavers")}

    def listing() -> dict:
        people = people_search(
            people_visible_to(request.user),
            q=filters["q"].strip(),
            academy=filters["academy"],
            category=filters["category"],
            include_leavers=filters["leavers"] == "1",
        )
        page = Paginator(people, 50).get_page(request.GET.get("page"))
        first = (page.number - 1) * page.paginator.per_page
        return {
            "count": page.paginator.count, "number": page.number,
            "rows": _people_rows(
                people.values(*PEOPLE_ROW_FIELDS)[first:first + page.paginator.per_page]),
            "academies": list(Academy.objects.all()),
        }

    # Kept with the person's navigation: any change to a person or an academy starts it afresh.
    asked = repr((sorted(filters.items()), request.GET.get("page", "")))
    data = navcache.cached_for_person(
        request.user.pk, "people:" + hashlib.sha256(asked.encode()).hexdigest(), listing)
    page = Paginator(range(data["count"]), 50).get_page(data["number"])
    rows, academies = data["rows"], data["academies"]
    # The navigation shows the person's own academy: it is in the list already.
    own = next((a for a in academies if a.pk == request.user.academy_id), None)
    if own is not None:
        request.user.academy = own
    return render(request, "accounts/people_list.html", {
        "page": page,
        "rows": rows,
        "filters": filters,
        "academies": academies,
        "categories": Category.choices,
        "can_manage": can(request.user, "people.manage"),
    })


#: What a row of the people list shows, read without building three models per person.
PEOPLE_ROW_FIELDS = (
    "pk", "full_name", "leaving_date", "job_title", "category", "role", "academy_id",
    "academy__name", "line_manager_id", "line_manager__full_name", "line_manager__email",
)


def _people_rows(people) -> list[dict]:
    """Rows as the template shows them: ``User.get_category_display()``, ``str(academy)``…"""
    categories, roles = dict(Category.choices), dict(Role.choices)
    today = timezone.localdate()
    sentinel = 2_147_483_647  # reverse() once; each row's link differs only in its pk
    prefix, suffix = reverse("accounts:person_detail", args=[sentinel]).split(str(sentinel))
    return [
        {
            "url": f"{prefix}{person['pk']}{suffix}",
            "full_name": person["full_name"],
            "is_leaver": person["leaving_date"] is not None and person["leaving_date"] <= today,
            "academy": "—" if person["academy_id"] is None else person["academy__name"],
            "job_title": person["job_title"],
            "category": categories.get(person["category"], person["category"]),
            "role": roles.get(person["role"], person["role"]),
            "line_manager": "—" if person["line_manager_id"] is None
            else person["line_manager__full_name"] or person["line_manager__email"],
        }
        for person in people
    ]


@requires("people.view")
def person_detail(request, pk: int):
    person = get_object_or_404(people_visible_to(request.user), pk=pk)
    events = AuditEvent.objects.for_object(person)[:50]
    return render(request, "accounts/person_detail.html", {
        "person": person, "events": events, "can_manage": can(request.user, "people.manage"),
    })


@requires("people.manage")
def person_create(request):
    form = PersonForm(request.POST or None, editor=request.user)
    if request.method == "POST" and form.is_valid():
        person = services.person_save(form=form, actor=request.user, request=request)
        messages.success(request, f"{person.full_name} was added."
                         + (" They have been sent an invitation to set a password."
                            if person.portal_access else ""))
        return redirect("accounts:person_detail", pk=person.pk)
    return render(request, "accounts/person_form.html", {"form": form, "person": None})


@requires("people.manage")
def person_edit(request, pk: int):
    person = get_object_or_404(people_visible_to(request.user), pk=pk)
    form = PersonForm(request.POST or None, instance=person, editor=request.user)
    if request.method == "POST" and form.is_valid():
        if form.has_changed():
            old_email = person.email
            services.person_save(form=form, actor=request.user, request=request)
            messages.success(request, f"Saved the changes to {person.full_name}.")
            if "email" in form.changed_data:
                messages.info(request, f"The email address stays {old_email} until the person "
                              f"confirms {form.cleaned_data['email']} from a link sent there; "
                              f"{old_email} has been told.")
        return redirect("accounts:person_detail", pk=person.pk)
    return render(request, "accounts/person_form.html", {"form": form, "person": person})


@require_POST
@requires("people.manage")
def person_invite(request, pk: int):
    person = get_object_or_404(people_visible_to(request.user), pk=pk)
    if not person.portal_access or person.is_leaver:
        messages.error(request, f"{person.full_name} does not sign in to the portal.")
    else:
        services.invitation_send(person=person, actor=request.user)
        messages.success(request, f"An invitation was sent to {person.email}.")
    return redirect("accounts:person_detail", pk=person.pk)


@require_GET
@requires(*sorted({picker.permission for picker in PICKERS.values()}))
def person_search(request, picker: str):
    """Search results for one person picker (an htmx fragment): radio buttons for up to
    SEARCH_LIMIT people the picker's form field accepts, for those allowed to use that form."""
    spec = PICKERS.get(picker)
    if spec is None:
        raise Http404("No such person picker.")
    if not can(request.user, spec.permission):
        raise PermissionDenied("You may not search these people.")
    name = request.GET.get("name", "")
    id_prefix = request.GET.get("id", "")
    name = name if SAFE_NAME.match(name) else picker
    id_prefix = id_prefix if SAFE_NAME.match(id_prefix) else f"id_{name}"
    q = " ".join(request.GET.get("q", "").split())[:100]
    people = spec.queryset(request.user)
    chosen = None
    if (request.GET.get(name) or "").isdigit():
        chosen = people.select_related("academy").filter(pk=int(request.GET[name])).first()
    matches = search_people(people, q, SEARCH_LIMIT) if len(q) >= SEARCH_MIN_CHARS else []
    response = render(request, "accounts/_person_results.html", {"r": results_context(
        name=name, id_prefix=id_prefix, matches=matches, chosen=chosen, q=q, searched=True)})
    response["Cache-Control"] = "private, no-store"
    return response


def _pending_path(import_id: str):
    return settings.PRIVATE_STORAGE_ROOT / "imports" / f"{uuid.UUID(import_id)}.csv"


@requires("people.import")
def staff_import(request):
    form = StaffImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:  # the portal's one upload check: a CSV by its bytes, not only by its name
            uploads.check_upload(upload, allowed=[uploads.CSV], name_kept=False,
                                 limit=services.IMPORT_MAX_BYTES)
        except uploads.UploadRejected as refused:
            result = services.ImportResult(file_errors=[str(refused)])
            data = b""
        else:
            data = upload.read(services.IMPORT_MAX_BYTES + 1)
            result = services.staff_import_parse(data)
        if result.ok:
            import_id = str(uuid.uuid4())
            path = _pending_path(import_id)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            request.session[IMPORT_SESSION_KEY] = {
                "id": import_id, "name": upload.name[:200],
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        else:
            request.session.pop(IMPORT_SESSION_KEY, None)
    return render(request, "accounts/staff_import.html", {
        "form": form, "result": result,
        "pending": request.session.get(IMPORT_SESSION_KEY) if result and result.ok else None,
        "required_columns": services.IMPORT_REQUIRED_COLUMNS,
        "optional_columns": services.IMPORT_OPTIONAL_COLUMNS,
    })


@require_POST
@requires("people.import")
def staff_import_apply(request):
    pending = request.session.get(IMPORT_SESSION_KEY)
    if not pending or pending.get("id") != request.POST.get("import_id"):
        messages.error(request, "That preview has expired. Upload the file again.")
        return redirect("accounts:staff_import")
    path = _pending_path(pending["id"])
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        messages.error(request, "That preview has expired. Upload the file again.")
        return redirect("accounts:staff_import")
    if hashlib.sha256(data).hexdigest() != pending["sha256"]:
        messages.error(request, "The previewed file changed. Upload it again.")
        return redirect("accounts:staff_import")
    result = services.staff_import_apply(
        data=data, actor=request.user, request=request, source=pending["name"]
    )
    path.unlink(missing_ok=True)
    request.session.pop(IMPORT_SESSION_KEY, None)
    if not result.ok:
        return render(request, "accounts/staff_import.html", {
            "form": StaffImportForm(), "result": result,
            "required_columns": services.IMPORT_REQUIRED_COLUMNS,
            "optional_columns": services.IMPORT_OPTIONAL_COLUMNS,
        })
    messages.success(
        request,
        f"Import applied: {result.count('create')} created, {result.count('update')} updated, "
        f"{result.count('unchanged')} unchanged.",
    )
    return redirect("accounts:people_list")


def email_confirm(request, token: str):
    """Public: the link sent to a new address. GET shows what will change (mail scanners that
    open links change nothing); POST makes the change."""
    try:
        person, new_email = services.email_change_pending(token)
        if request.method == "POST":
            services.email_change_confirm(token=token, request=request)
            return render(request, "accounts/email_confirm.html",
                          {"done": True, "new_email": new_email})
    except services.EmailChangeRefused as exc:
        return render(request, "accounts/email_confirm.html", {"problem": str(exc)}, status=400)
    return render(request, "accounts/email_confirm.html",
                  {"person": person, "new_email": new_email})
