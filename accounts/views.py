import hashlib
import uuid

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import services
from accounts.forms import PersonForm, StaffImportForm
from accounts.models import Academy, Category
from accounts.permissions import can, requires
from accounts.selectors import people_search, people_visible_to
from audit.models import AuditEvent

IMPORT_SESSION_KEY = "staff_import_pending"


@requires("people.view")
def people_list(request):
    people = people_search(
        people_visible_to(request.user),
        q=request.GET.get("q", "").strip(),
        academy=request.GET.get("academy", ""),
        category=request.GET.get("category", ""),
        include_leavers=request.GET.get("leavers") == "1",
    )
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/people_list.html", {
        "page": page,
        "academies": Academy.objects.all(),
        "categories": Category.choices,
        "can_manage": can(request.user, "people.manage"),
    })


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
            services.person_save(form=form, actor=request.user, request=request)
            messages.success(request, f"Saved the changes to {person.full_name}.")
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


def _pending_path(import_id: str):
    return settings.PRIVATE_STORAGE_ROOT / "imports" / f"{uuid.UUID(import_id)}.csv"


@requires("people.import")
def staff_import(request):
    form = StaffImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
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
