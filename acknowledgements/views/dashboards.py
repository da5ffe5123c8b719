"""The compliance dashboards (trust, academy, category, team) and a person's history."""


from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from accounts.models import Academy, Category
from accounts.permissions import (
    can,
    compliance_category_scope,
    compliance_may_see_academy,
    compliance_views,
    manages,
    may_nudge,
    may_record_acknowledgement_for,
    requires,
)
from acknowledgements import compliance_cache, selectors
from acknowledgements.forms import NudgeForm
from core.csvfile import csv_response
from policies.models import PolicyVersion

#: Up to this many people, the dashboard sorts and cuts a page of full rows in one query.
DIRECT_PAGE_LIMIT = 2000


def _versions_and_choice(request):
    versions = compliance_cache.versions(lambda: list(
        PolicyVersion.objects.filter(
            policy__requires_acknowledgement=True,
            status__in=[PolicyVersion.Status.PUBLISHED, PolicyVersion.Status.SUPERSEDED],
        ).select_related("policy").defer("source_text", "cover")
        .order_by("policy__title", "-published_at", "-id")
    ))
    chosen = None
    wanted = request.GET.get("version", "")
    if wanted.isdigit():
        chosen = next((v for v in versions if v.pk == int(wanted)), None)
    if chosen is None:
        chosen = next((v for v in versions if v.status == PolicyVersion.Status.PUBLISHED), None)
    return versions, chosen


CSV_COLUMNS = [
    ("name", "Name"), ("email", "Email"), ("academy", "Academy"), ("category", "Category"),
    ("job_title", "Job title"), ("line_manager", "Line manager"), ("assigned_on", "Asked on"),
    ("due_on", "Due by"), ("status_label", "Status"), ("acknowledged_at", "Acknowledged at"),
    ("method", "How"), ("record_version", "Version acknowledged"),
]


def _roster_csv(rows_qs, filename: str):
    def rows():
        batch = []
        for values in rows_qs.iterator(chunk_size=2000):
            batch.append(values)
            if len(batch) == 2000:
                for row in selectors.rows_from(batch):
                    yield [row[key] for key, _ in CSV_COLUMNS]
                batch = []
        for row in selectors.rows_from(batch):
            yield [row[key] for key, _ in CSV_COLUMNS]

    return csv_response(filename, rows(), header=[label for _, label in CSV_COLUMNS],
                        stream=True)


_STATUS_FILTERS = ("done", "overdue", "outstanding", "not_done")


def _listed(queryset, q: str, status: str, today):
    """The people listed: a name search and a status filter on the dashboard's queryset."""
    if q:
        queryset = queryset.filter(Q(person__full_name__icontains=q)
                                   | Q(person__email__icontains=q))
    if status == "done":
        return queryset.done()
    if status == "overdue":
        return queryset.overdue(today)
    if status == "outstanding":
        return queryset.outstanding().filter(due_on__gte=today)
    if status == "not_done":
        return queryset.outstanding()
    return queryset


def _dashboard(request, *, title: str, heading_scope: str, assignments, breakdowns, versions,
               version, scope: str, academy=None, show_academy_filter: bool = False,
               slug: str = "trust"):
    today = timezone.localdate()
    category = request.GET.get("category", "")
    if category not in Category.values:
        category = ""
    academy_code = request.GET.get("academy", "") if show_academy_filter else ""
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()
    sort = request.GET.get("sort", "status")
    sort = sort if sort in selectors.SORTS else "status"
    descending = request.GET.get("dir") == "desc"

    # The queries are built only when asked: a dashboard served from the cache needs none,
    # and building them is not free (docs/load.md).
    def scoped():
        queryset = assignments()
        if category:
            queryset = queryset.filter(person__category=category)
        if academy_code:
            queryset = queryset.filter(person__academy__code=academy_code)
        return queryset

    def rows_qs():
        return selectors.roster_rows(_listed(scoped(), q, status, today), sort=sort,
                                     descending=descending, today=today)

    if request.GET.get("format") == "csv":
        name = f"acknowledgements-{slug}-{version.policy.slug}-{version.label}-{today}.csv"
        return _roster_csv(rows_qs(), name)
    status = status if status in _STATUS_FILTERS else ""

    def figures() -> dict:
        queryset = scoped()
        tables = [(label, selectors.breakdown(queryset, by, today)) for label, by in breakdowns]
        # A breakdown has a row for every group (no academy / no category too): add them up.
        summary = (selectors.summary_of(tables[0][1]) if tables
                   else selectors.summarise(queryset, today))
        listed = _listed(queryset, q, status, today)
        # Without a name search, the summary already counted the people listed.
        count = listed.count() if q else {
            "": summary["total"], "done": summary["done"], "overdue": summary["overdue"],
            "outstanding": summary["outstanding"], "not_done": summary["not_done"],
        }[status]
        direct = count <= DIRECT_PAGE_LIMIT
        if direct:
            # Few people: sort and cut the page of full rows in one query.
            paginator = Paginator(rows_qs(), 50)
        else:
            # Many: sort and cut the page on a lean query (ids only), then fetch the 50 full rows.
            paginator = Paginator(selectors.roster_ids(listed, sort=sort, descending=descending,
                                                       today=today), 50)
        paginator.count = count
        page = paginator.get_page(request.GET.get("page"))
        rows = (selectors.rows_from(page.object_list) if direct
                else selectors.roster_page(list(page.object_list), today=today))
        csv_params = request.GET.copy()
        csv_params.pop("page", None)
        csv_params["format"] = "csv"
        html = render_to_string("acknowledgements/_dashboard_figures.html", {
            "version": version, "summary": summary, "heading_scope": heading_scope,
            "versions": versions, "show_academy_filter": show_academy_filter,
            "academies": list(Academy.objects.order_by("is_central", "name"))
            if show_academy_filter else [],
            "academy_code": academy_code, "categories": Category.choices, "category": category,
            "status": status, "q": q, "csv_url": "?" + csv_params.urlencode(), "tables": tables,
        })
        return {"summary": summary, "count": count, "number": page.number, "rows": rows,
                "rows_digest": compliance_cache.rows_digest(rows), "html": html}

    data = compliance_cache.cached(
        academy.pk if academy is not None else None,
        # The team view's people are the viewer's own reports.
        (scope, slug, request.user.pk if scope == "team" else None, version.pk, category,
         academy_code, status, q, sort, descending, request.GET.get("page", "")),
        figures,
    )
    summary, rows = data["summary"], data["rows"]
    page = Paginator(range(data["count"]), 50).get_page(data["number"])
    user = request.user
    # The "Remind" button: only the person's line manager sees it.
    nudge_ids = [row["assignment_id"] for row in rows
                 if row["status"] != "done" and manages(user, row["line_manager_id"])]

    def rows_html() -> str:
        for row in rows:
            row["may_nudge"] = row["assignment_id"] in nudge_ids
        return render_to_string("acknowledgements/_roster_rows.html", {"rows": rows})

    params = request.GET.copy()
    params.pop("page", None)
    params.pop("format", None)
    sort_links = {}
    for key in selectors.SORTS:
        p = params.copy()
        p["sort"] = key
        p["dir"] = "asc" if (key == sort and descending) or key != sort else "desc"
        sort_links[key] = {"url": "?" + p.urlencode(), "active": key == sort,
                           "desc": descending and key == sort}
    return render(request, "acknowledgements/dashboard.html", {
        "title": title, "figures_html": mark_safe(data["html"]),  # noqa: S308 (our template)
        "version": version, "summary": summary, "page": page, "may_nudge": bool(nudge_ids),
        # Our own template's output, kept in the cache (compliance_cache.rows_html).
        "rows_html": mark_safe(compliance_cache.rows_html(  # noqa: S308
            data["rows_digest"], nudge_ids, rows_html)),
        "sort_links": sort_links, "scope": scope, "academy": academy, "today": today,
        "may_manage_questions": can(user, "policies.manage"),
        "may_set_token_only": can(user, "acknowledgements.token_only"),
        "views": compliance_views(user),
    })


def _no_version(request, title):
    return render(request, "acknowledgements/dashboard_empty.html", {"title": title})


@requires("compliance.trust")
def trust(request):
    versions, version = _versions_and_choice(request)
    if version is None:
        return _no_version(request, "Trust compliance")
    return _dashboard(
        request, title="Trust compliance", heading_scope="the whole trust", versions=versions,
        version=version, scope="trust",
        assignments=lambda: selectors.assignments_for(version),
        breakdowns=[("By academy", "academy"), ("By category", "category")],
        show_academy_filter=True, slug="trust",
    )


def _academy_for(user, code: str) -> Academy:
    own = user.academy if user.academy_id else None  # loaded with the user (accounts.backends)
    if own is not None and own.code == code and compliance_may_see_academy(user, own):
        return own
    academy = selectors.academies_visible(user).filter(code=code).first()
    if academy is None or not compliance_may_see_academy(user, academy):
        raise Http404("No such academy.")
    return academy


@requires("compliance.academy")
def academy(request, code: str):
    place = _academy_for(request.user, code)
    if request.user.academy_id == place.pk:
        request.user.academy = place  # their own academy: the navigation needs no query for it
    versions, version = _versions_and_choice(request)
    if version is None:
        return _no_version(request, f"{place.name}: compliance")
    return _dashboard(
        request, title=f"{place.name}: compliance", heading_scope=place.name,
        versions=versions, version=version, scope="academy", academy=place,
        assignments=lambda: selectors.assignments_for(version, academy=place),
        breakdowns=[("By category", "category")], slug=place.code,
    )


@requires("compliance.trust", "compliance.academy")
def category(request, category: str):
    if category not in Category.values:
        raise Http404("No such category.")
    label = Category(category).label
    versions, version = _versions_and_choice(request)
    if version is None:
        return _no_version(request, f"{label}: compliance")
    scope = compliance_category_scope(request.user)
    if scope is None:
        raise Http404("No such view.")
    place = None if scope == "trust" else scope
    scope_label = "the trust" if place is None else place.name
    return _dashboard(
        request, title=f"{label}: compliance", heading_scope=f"{label.lower()} in {scope_label}",
        versions=versions, version=version, scope="category", academy=place,
        assignments=lambda: selectors.assignments_for(version, academy=place, category=category),
        breakdowns=[("By academy", "academy")] if place is None else [],
        show_academy_filter=place is None, slug=category,
    )


@requires("compliance.team")
def team(request):
    versions, version = _versions_and_choice(request)
    if version is None:
        return _no_version(request, "My team")
    return _dashboard(
        request, title="My team: policy acknowledgements", heading_scope="your direct reports",
        versions=versions, version=version, scope="team",
        assignments=lambda: selectors.assignments_for(version, manager=request.user),
        breakdowns=[],
        slug="team",
    )


@requires("compliance.trust", "compliance.academy", "compliance.team")
def person_history(request, pk: int):
    person = selectors.get_person_for_user(request.user, pk)
    history = selectors.person_history(person)
    for item in history:
        a = item["assignment"]
        open_request = not a.is_done and a.version.status == PolicyVersion.Status.PUBLISHED
        item["may_nudge"] = open_request and may_nudge(request.user, person)
        item["may_record"] = open_request and may_record_acknowledgement_for(request.user,
                                                                             person)
    if request.GET.get("format") == "csv":
        rows = []
        for item in history:
            a, r = item["assignment"], item["assignment"].acknowledgement
            rows.append([a.version.policy.title, a.version.label, a.assigned_on, a.due_on,
                         item["status_label"], a.acknowledged_at,
                         r.get_method_display() if r else "", r.content_hash if r else "",
                         f"#{r.sequence}" if r else ""])
        return csv_response(f"history-{person.pk}.csv", rows, header=[
            "Policy", "Version", "Asked on", "Due by", "Status", "Acknowledged at", "How",
            "Content hash", "Record"])
    return render(request, "acknowledgements/person.html", {
        "person": person, "history": history, "nudge_form": NudgeForm(),
    })
