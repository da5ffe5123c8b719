"""Pages: reading and acknowledging, signed links, dashboards, questions, nudges."""

import csv
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from accounts.models import Academy, Category
from accounts.permissions import can, requires
from acknowledgements import compliance_cache, selectors, services
from acknowledgements.forms import NudgeForm, OnBehalfForm, QuestionForm, TokenOnlyForm
from acknowledgements.models import Acknowledgement, Assignment, Method, Question
from acknowledgements.sections import section_for_clause
from core.sql import split_joined
from policies.models import Policy, PolicyVersion
from policies.redline import render_marks_html
from policies.redline import summary as redline_summary
from policies.selectors import version_redline

LINK_SESSION_KEY = "ack_links"


# --------------------------------------------------------------------------- reading flow


@dataclass
class Reader:
    """Who is reading: a signed-in person, or someone holding a token-only link."""

    assignment: Assignment
    token: str = ""
    nonce: str = ""
    reading: services.Reading | None = None

    def url(self, name: str, *args) -> str:
        if self.token:
            return reverse(f"acknowledgements:token_{name}", args=[self.token, *args])
        return reverse(f"acknowledgements:{name}", args=[self.assignment.pk, *args])

    def page_urls(self):
        """``url("read", n)`` for many page numbers n, reversing once."""
        if self.token:
            return _url_maker("acknowledgements:token_read", self.token)
        return _url_maker("acknowledgements:read", self.assignment.pk)


#: Columns of the version row the reading pages never use (the imported document is large).
VERSION_UNUSED = ("version__source_text", "version__cover")


def _own_assignment(request, pk: int, *, with_record: bool = False) -> Assignment:
    """The signed-in person's own assignment (404 otherwise).

    The person is the signed-in user already loaded (not joined again); the record is joined
    only for the receipt."""
    related = ["version", "version__policy"] + (["acknowledgement"] if with_record else [])
    assignment = (Assignment.objects.select_related(*related).defer(*VERSION_UNUSED)
                  .filter(pk=pk, person_id=request.user.pk).first())
    if assignment is None:
        raise Http404("No such request.")
    assignment.person = request.user
    return assignment


def _reading(reader: "Reader", *, with_questions: bool = False) -> services.Reading:
    """Sections, content hash and statement for this reader, worked out once per request;
    ``with_questions``: for the acknowledge page, which asks them (read with the rest)."""
    if reader.reading is None:
        assignment = reader.assignment
        reader.reading = services.reading_for(assignment.version, assignment.person,
                                              with_questions=with_questions)
    return reader.reading


def _token_reader(request, token: str) -> Reader | HttpResponse:
    try:
        assignment, nonce = services.link_read(token)
    except services.LinkInvalid as error:
        return _link_problem(request, error)
    if not services.token_only_allowed(assignment):
        return redirect("acknowledgements:link", token)
    return Reader(assignment, token=token, nonce=nonce)


def _link_problem(request, error: Exception) -> HttpResponse:
    status = 410 if isinstance(error, services.LinkExpired | services.LinkUsed) else 400
    return render(request, "acknowledgements/link_problem.html", {"error": error},
                  status=status)


def _previous_acknowledged(assignment: Assignment) -> PolicyVersion | None:
    """The version of this policy the person last acknowledged, if not this one."""
    version = assignment.version
    if assignment.source == Assignment.Source.CARRIED and version.previous_id:
        return version.previous
    record = (Acknowledgement.objects.filter(person=assignment.person,
                                             version__policy=version.policy)
              .exclude(version=version).select_related("version").order_by("-sequence").first())
    return record.version if record else None


def _start(request, reader: Reader):
    assignment = reader.assignment
    if assignment.is_done:
        return redirect(reader.url("receipt"))
    if not services.sections_missing(person=assignment.person, version=assignment.version,
                                     reading=_reading(reader)):
        return redirect(reader.url("acknowledge"))  # read it all before: ready to acknowledge
    if _previous_acknowledged(assignment) is not None:
        return redirect(reader.url("changes"))
    return redirect(reader.url("read", 1))


def _changes(request, reader: Reader):
    assignment = reader.assignment
    old = _previous_acknowledged(assignment)
    if old is None:
        return redirect(reader.url("read", 1))
    diffs = version_redline(old, assignment.version)
    rows = [{"diff": d, "html": mark_safe(render_marks_html(d.marks))}  # noqa: S308 (escaped)
            for d in diffs if d.status != "unchanged"]
    return render(request, "acknowledgements/changes.html", {
        "reader": reader, "assignment": assignment, "old": old, "rows": rows,
        "counts": redline_summary(diffs), "first_url": reader.url("read", 1),
    })


def _read(request, reader: Reader, index: int):
    assignment = reader.assignment
    version = assignment.version
    sections = _reading(reader).sections
    if not 1 <= index <= len(sections):
        raise Http404("No such section.")
    section = sections[index - 1]
    served = _served(assignment)
    if served is None:
        served = services.sections_seen(person=assignment.person, version=version)
    if (section.key not in served and version.status == PolicyVersion.Status.PUBLISHED
            and not assignment.is_done):
        services.section_record_served(person=assignment.person, version=version,
                                       key=section.key)
        served.add(section.key)
    seen = {s.key for s in sections} & served
    page_url = reader.page_urls()
    return render(request, "acknowledgements/read.html", {
        "reader": reader, "assignment": assignment, "version": version, "section": section,
        "sections": [{"s": s, "url": page_url(s.index), "seen": s.key in seen}
                     for s in sections],
        "count": len(sections), "seen_count": len(seen),
        "previous_url": page_url(index - 1) if index > 1 else "",
        "next_url": page_url(index + 1) if index < len(sections) else "",
        "acknowledge_url": reader.url("acknowledge"),
    })


def _question_rows(reader: Reader, questions, answers: dict, wrong_ids: set, sections):
    rows = []
    for q in questions:
        target = section_for_clause(sections, q.clause.number)
        rows.append({
            "q": q, "chosen": answers.get(q.pk), "wrong": q.pk in wrong_ids,
            "choices": list(enumerate(q.choices)),
            "reread_url": (reader.url("read", target.index) + f"#clause-{q.clause.anchor}"
                           if target else ""),
        })
    return rows


def _acknowledge(request, reader: Reader):
    assignment = reader.assignment
    version = assignment.version
    if assignment.is_done:
        messages.info(request, "You have already acknowledged this version. Nothing more to do.")
        return redirect(reader.url("receipt"))
    reading = _reading(reader, with_questions=True)
    sections = reading.sections
    questions = reading.questions
    content_hash, statement = reading.content_hash, reading.statement
    answers: dict[int, int | None] = {}
    wrong_ids: set[int] = set()
    errors: list[str] = []
    if request.method == "POST":
        for q in questions:
            value = request.POST.get(f"q{q.pk}", "")
            answers[q.pk] = int(value) if value.isdigit() else None
        if request.POST.get("agree") != "yes":
            errors.append("Tick the box to confirm the statement.")
        try:
            stored_answers = services.answers_check(version=version, answers=answers,
                                                    questions=questions)
        except services.WrongAnswers as error:
            wrong_ids = {q.pk for q in error.wrong}
            errors.append(str(error))
            stored_answers = None
        if not errors:
            method, nonce = Method.PORTAL, ""
            if reader.token:
                method, nonce = Method.TOKEN_ONLY, reader.nonce
            else:
                nonce = request.session.get(LINK_SESSION_KEY, {}).get(str(assignment.pk), "")
                if nonce:
                    method = Method.EMAIL_LINK
            try:
                outcome = services.acknowledgement_record(
                    assignment=assignment, method=method, request=request,
                    answers=stored_answers, link_nonce=nonce, reading=reading,
                    served=_served(assignment),
                )
            except services.LinkUsed as error:
                if reader.token:
                    return _link_problem(request, error)
                # The emailed link was spent elsewhere; the signed-in person still may.
                outcome = services.acknowledgement_record(
                    assignment=assignment, method=Method.PORTAL, request=request,
                    answers=stored_answers, reading=reading, served=_served(assignment),
                )
            except services.NotFullyRead as error:
                errors.append(str(error))
            except services.AcknowledgementError as error:
                errors.append(str(error))
            else:
                links = request.session.get(LINK_SESSION_KEY, {})
                if str(assignment.pk) in links:
                    links.pop(str(assignment.pk))
                    request.session[LINK_SESSION_KEY] = links
                # A new record: the receipt itself says thank you (no message cookie to set).
                if not outcome.created:
                    messages.info(request, "You had already acknowledged this version. "
                                           "Nothing more to do.")
                if reader.token:
                    return render(request, "acknowledgements/receipt.html", {
                        "record": outcome.record, "assignment": assignment, "reader": reader,
                    })
                return redirect(reader.url("receipt"))
    missing = services.sections_missing(person=assignment.person, version=version,
                                        reading=reading, served=_served(assignment))
    page_url = reader.page_urls()
    return render(request, "acknowledgements/acknowledge.html", {
        "reader": reader, "assignment": assignment, "version": version,
        "statement": statement, "content_hash": content_hash, "errors": errors,
        "missing": [{"s": s, "url": page_url(s.index)} for s in missing],
        "questions": _question_rows(reader, questions, answers, wrong_ids, sections),
        "agreed": request.POST.get("agree") == "yes",
    }, status=400 if errors else 200)


@requires("acknowledgements.acknowledge")
def mine(request):
    # The record itself is not shown (its time is on the assignment): ordered by it, not loaded.
    assignments = (Assignment.objects.filter(person_id=request.user.pk)
                   .select_related("version", "version__policy").only(*selectors.LIST_COLUMNS)
                   .order_by("acknowledgement__sequence", "due_on"))
    today = timezone.localdate()
    waiting = [a for a in assignments if not a.is_done
               and a.version.status == PolicyVersion.Status.PUBLISHED]
    done = [a for a in assignments if a.is_done]
    return render(request, "acknowledgements/mine.html", {
        "waiting": waiting, "done": done, "today": today,
    })


@requires("acknowledgements.acknowledge")
def start(request, pk: int):
    return _start(request, Reader(_own_assignment(request, pk)))


@requires("acknowledgements.acknowledge")
def changes(request, pk: int):
    return _changes(request, Reader(_own_assignment(request, pk)))


def _own_assignment_with_served(request, pk: int, *, only: tuple | None = None
                                ) -> Assignment:
    """`_own_assignment` for the reading and acknowledge pages, with ``served_keys``: the keys
    of the sections already served to the person (space-separated, or None), read in the same
    query. ``only``: the columns the page uses (default: all but the version's long texts)."""
    assignment = selectors.own_assignment_with_served(pk, request.user.pk, only=only,
                                                      unused=VERSION_UNUSED)
    if assignment is None:
        raise Http404("No such request.")
    assignment.person = request.user
    return assignment


@requires("acknowledgements.acknowledge")
def read(request, pk: int, index: int):
    return _read(request, Reader(_own_assignment_with_served(request, pk)), index)


#: The columns the acknowledge page and its POST use (the record, the statement, the page).
ACKNOWLEDGE_COLUMNS = (
    "id", "person_id", "version_id", "assigned_on", "due_on", "source", "acknowledgement_id",
    "acknowledged_at", "version__policy_id", "version__label", "version__status",
    "version__content_hash", "version__previous_id", "version__published_at",
    "version__policy__title", "version__policy__slug", "version__policy__allow_token_only",
)


def _served(assignment: Assignment) -> set[str] | None:
    """The sections served, when read with the assignment (`_own_assignment_with_served`)."""
    keys = getattr(assignment, "served_keys", ...)
    return None if keys is ... else set(split_joined(keys))


@requires("acknowledgements.acknowledge")
def acknowledge(request, pk: int):
    return _acknowledge(request, Reader(
        _own_assignment_with_served(request, pk, only=ACKNOWLEDGE_COLUMNS)))


@requires("acknowledgements.acknowledge")
def receipt(request, pk: int):
    assignment = _own_assignment(request, pk, with_record=True)
    if not assignment.is_done:
        return redirect("acknowledgements:start", pk)
    return render(request, "acknowledgements/receipt.html", {
        "record": assignment.acknowledgement, "assignment": assignment,
        "reader": Reader(assignment),
    })


def link(request, token: str):
    """A signed link from an email: token-only people read here; others sign in first."""
    try:
        assignment, nonce = services.link_read(token)
    except services.LinkInvalid as error:
        return _link_problem(request, error)
    if services.token_only_allowed(assignment) and not request.user.is_authenticated:
        if assignment.is_done:
            return render(request, "acknowledgements/receipt.html", {
                "record": assignment.acknowledgement, "assignment": assignment,
                "reader": Reader(assignment, token=token)})
        return _start(request, Reader(assignment, token=token, nonce=nonce))
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.user.pk != assignment.person_id:
        raise Http404("This link is for someone else.")
    if assignment.is_done:
        messages.info(request, "You have already acknowledged this version. Nothing more to do.")
        return redirect("acknowledgements:receipt", assignment.pk)
    links = request.session.get(LINK_SESSION_KEY, {})
    links[str(assignment.pk)] = nonce
    request.session[LINK_SESSION_KEY] = links
    return redirect("acknowledgements:start", assignment.pk)


def token_changes(request, token: str):
    reader = _token_reader(request, token)
    return reader if isinstance(reader, HttpResponse) else _changes(request, reader)


def token_read(request, token: str, index: int):
    reader = _token_reader(request, token)
    return reader if isinstance(reader, HttpResponse) else _read(request, reader, index)


def token_acknowledge(request, token: str):
    reader = _token_reader(request, token)
    return reader if isinstance(reader, HttpResponse) else _acknowledge(request, reader)


def token_receipt(request, token: str):
    return redirect("acknowledgements:link", token)


# --------------------------------------------------------------------------- dashboards


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


class _Echo:
    def write(self, value):
        return value


def _csv_value(value):
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    text = "" if value is None else str(value)
    # Keep spreadsheet programs from running formulas from people's names.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _csv_response(rows_qs, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def generate():
        yield writer.writerow([label for _, label in CSV_COLUMNS])
        batch = []
        for values in rows_qs.iterator(chunk_size=2000):
            batch.append(values)
            if len(batch) == 2000:
                for row in selectors.rows_from(batch):
                    yield writer.writerow([_csv_value(row[key]) for key, _ in CSV_COLUMNS])
                batch = []
        for row in selectors.rows_from(batch):
            yield writer.writerow([_csv_value(row[key]) for key, _ in CSV_COLUMNS])

    response = StreamingHttpResponse(generate(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


_STATUS_FILTERS = ("done", "overdue", "outstanding", "not_done")


def _listed(queryset, q: str, status: str, today):
    """The people listed: a name search and a status filter on the dashboard's queryset."""
    if q:
        from django.db.models import Q

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
    # and building them cost more CPU than serving the cached page.
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
        return _csv_response(rows_qs(), name)
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
        _roster_rows_html(rows)
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
                "html": html}

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
    _roster_html(request, rows)
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
        "version": version, "summary": summary, "page": page, "rows": rows,
        "sort_links": sort_links, "scope": scope, "academy": academy, "today": today,
        "may_manage_questions": can(user, "policies.manage"),
        "may_set_token_only": can(user, "acknowledgements.token_only"),
        "views": _views_for(user),
    })


_STATUS_CLASSES = {"done": "status--ok", "overdue": "status--bad"}


def _roster_rows_html(rows: list[dict]) -> None:
    """Each row of the People table as HTML, escaped as the template would, in two halves
    (``row["html_head"]``, ``row["html_tail"]``) around the cell of the "Remind" button, which
    depends on who is looking (`_roster_html`). Kept in the cache with the rows.

    Fifty rows through the template engine cost more than the rest of the page."""
    history_url = _url_maker("acknowledgements:person_history")
    for row in rows:
        name = escape(row["name"])
        if row["acknowledged_at"]:
            when = timezone.localtime(row["acknowledged_at"]).strftime("%d/%m/%Y %H:%M")
            acknowledged = f'{escape(when)} <span class="muted">({escape(row["method"])})</span>'
        else:
            acknowledged = "—"
        due = row["due_on"].strftime("%d/%m/%Y") if row["due_on"] else ""
        row["html_head"] = (
            f'\n  <tr>\n    <th scope="row"><a href="{escape(history_url(row["person_id"]))}">'
            f'{name}</a></th>\n    <td>{escape(row["academy"] or "—")}</td>'
            f'<td>{escape(row["category"])}</td><td>{escape(due)}</td>\n'
            f'    <td><span class="status {_STATUS_CLASSES.get(row["status"], "status--warn")}">'
            f'{escape(row["status_label"])}</span></td>\n    <td>{acknowledged}</td>\n'
            f'    <td>')
        row["html_tail"] = "</td>\n  </tr>\n  "


def _roster_html(request, rows: list[dict]) -> None:
    """``row["html"]``: the row with a "Remind" button where this person is the line manager."""
    from django.middleware.csrf import get_token

    user = request.user
    nudge_url = _url_maker("acknowledgements:nudge")
    form_head = form_tail = ""
    for row in rows:
        row["may_nudge"] = row["line_manager_id"] == user.pk and row["status"] != "done"
        action = ""
        if row["may_nudge"]:
            if not form_head:
                form_head = '\n      <form method="post" action="'
                form_tail = (
                    '" class="inline-form"><input type="hidden" name="csrfmiddlewaretoken" value="'
                    f'{escape(get_token(request))}"><input type="hidden" name="next" value="'
                    f'{escape(request.get_full_path())}"><button type="submit" '
                    'class="button--secondary button">Remind<span class="sr-only"> ')
            action = (form_head + escape(nudge_url(row["assignment_id"])) + form_tail
                      + escape(row["name"]) + "</span></button></form>\n    ")
        row["html"] = mark_safe(  # noqa: S308 (every value escaped above)
            row["html_head"] + action + row["html_tail"])


#: Up to this many people, the dashboard sorts and cuts a page of full rows in one query.
DIRECT_PAGE_LIMIT = 2000
_URL_SENTINEL = 987654321


def _url_maker(name: str, *args):
    """``reverse(name, args=[*args, n])`` for many integers n, reversing once."""
    pattern = reverse(name, args=[*args, _URL_SENTINEL])
    if pattern.count(str(_URL_SENTINEL)) != 1:
        return lambda n: reverse(name, args=[*args, n])
    head, tail = pattern.split(str(_URL_SENTINEL))
    return lambda n: f"{head}{int(n)}{tail}"


def _views_for(user) -> list[tuple[str, str]]:
    """The other compliance views this person may open (shown as links on each)."""
    from accounts.permissions import is_line_manager

    views = []
    if can(user, "compliance.trust"):
        views.append(("Whole trust", reverse("acknowledgements:trust")))
    elif user.role == "principal" and user.academy_id and can(user, "compliance.academy"):
        views.append((user.academy.name, reverse("acknowledgements:academy",
                                                 args=[user.academy.code])))
    if can(user, "compliance.team") and is_line_manager(user):
        views.append(("My team", reverse("acknowledgements:team")))
    return views


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
    if own is not None and own.code == code and user.role == "principal":
        return own
    academy = selectors.academies_visible(user).filter(code=code).first()
    if academy is None or not (can(user, "compliance.trust") or user.role == "principal"):
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
    user = request.user
    if can(user, "compliance.trust"):
        place, scope_label = None, "the trust"
    elif user.role == "principal" and user.academy_id:
        place = user.academy
        scope_label = place.name
    else:
        raise Http404("No such view.")
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
        item["may_nudge"] = (not a.is_done and a.version.status == PolicyVersion.Status.PUBLISHED
                             and selectors.may_nudge(request.user, person))
        item["may_record"] = (not a.is_done
                              and a.version.status == PolicyVersion.Status.PUBLISHED
                              and selectors.may_record_on_behalf(request.user, person))
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="history-{person.pk}.csv"'
        writer = csv.writer(response)
        writer.writerow(["Policy", "Version", "Asked on", "Due by", "Status", "Acknowledged at",
                         "How", "Content hash", "Record"])
        for item in history:
            a, r = item["assignment"], item["assignment"].acknowledgement
            writer.writerow([a.version.policy.title, a.version.label, _csv_value(a.assigned_on),
                             _csv_value(a.due_on), item["status_label"],
                             _csv_value(a.acknowledged_at),
                             r.get_method_display() if r else "", r.content_hash if r else "",
                             f"#{r.sequence}" if r else ""])
        return response
    return render(request, "acknowledgements/person.html", {
        "person": person, "history": history, "nudge_form": NudgeForm(),
    })


@require_POST
@requires("compliance.team")
def nudge(request, pk: int):
    assignment = selectors.get_assignment_for_manager(request.user, pk, selectors.may_nudge)
    form = NudgeForm(request.POST)
    if form.is_valid():
        try:
            services.nudge_send(assignment=assignment, sender=request.user,
                                message=form.cleaned_data["message"], request=request)
        except services.AcknowledgementError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Reminder sent to {assignment.person.full_name}.")
    back = request.POST.get("next", "")
    if back.startswith("/acknowledgements/") and "//" not in back:
        return redirect(back)
    return redirect("acknowledgements:person_history", assignment.person_id)


@requires("acknowledgements.record_on_behalf")
def on_behalf(request, pk: int):
    assignment = selectors.get_assignment_for_manager(request.user, pk)
    version = assignment.version
    if assignment.is_done:
        messages.info(request, f"{assignment.person.full_name} has already acknowledged it.")
        return redirect("acknowledgements:person_history", assignment.person_id)
    person = assignment.person
    attestation = (
        f"I, {request.user.full_name}, confirm that {person.full_name} has read the "
        f"{version.policy.title} (version {version.label}) or had it read to them by me, "
        f"that I answered their questions, and that they told me they understood it and "
        f"will comply with it. They have no computer access to acknowledge it themselves."
    )
    form = OnBehalfForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        note = form.cleaned_data["note"].strip()
        try:
            outcome = services.acknowledgement_record(
                assignment=assignment, method=Method.ON_BEHALF, request=request,
                recorded_by=request.user,
                attestation=attestation + (f"\nNote: {note}" if note else ""),
            )
        except services.AcknowledgementError as error:
            messages.error(request, str(error))
        else:
            if outcome.created:
                messages.success(request, f"Recorded {person.full_name}'s acknowledgement.")
            else:
                messages.info(request, f"{person.full_name} had already acknowledged it.")
            return redirect("acknowledgements:person_history", person.pk)
    return render(request, "acknowledgements/on_behalf.html", {
        "assignment": assignment, "person": person, "version": version, "form": form,
        "attestation": attestation,
        "statement": services.reading_for(version, person).statement,
    })


# --------------------------------------------------------------------------- questions


@requires("policies.manage")
def questions(request, version_pk: int):
    version = get_object_or_404(PolicyVersion.objects.select_related("policy"), pk=version_pk)
    form = QuestionForm(request.POST if request.method == "POST" else None, version=version)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.question_save(version=version, actor=request.user, text=data["text"],
                                   choices=data["choice_list"], correct_choice=data["correct"] - 1,
                                   clause=data["clause"], order=data["order"], request=request)
        except services.AcknowledgementError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Question added.")
            return redirect("acknowledgements:questions", version.pk)
    return render(request, "acknowledgements/questions.html", {
        "version": version, "questions": version.ack_questions.select_related("clause"),
        "form": form,
    })


@requires("policies.manage")
def question_edit(request, pk: int):
    question = get_object_or_404(Question.objects.select_related("version", "version__policy",
                                                                 "clause"), pk=pk)
    version = question.version
    initial = {"text": question.text, "choices": "\n".join(question.choices),
               "correct": question.correct_choice + 1, "clause": question.clause_id,
               "order": question.order}
    form = QuestionForm(request.POST if request.method == "POST" else None, version=version,
                        initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.question_save(version=version, actor=request.user, text=data["text"],
                                   choices=data["choice_list"], correct_choice=data["correct"] - 1,
                                   clause=data["clause"], order=data["order"],
                                   question=question, request=request)
        except services.AcknowledgementError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Question saved.")
            return redirect("acknowledgements:questions", version.pk)
    return render(request, "acknowledgements/question_edit.html", {
        "version": version, "question": question, "form": form,
    })


@require_POST
@requires("policies.manage")
def question_delete(request, pk: int):
    question = get_object_or_404(Question.objects.select_related("version"), pk=pk)
    version_pk = question.version_id
    services.question_delete(question=question, actor=request.user, request=request)
    messages.success(request, "Question removed.")
    return redirect("acknowledgements:questions", version_pk)


@requires("acknowledgements.token_only")
def token_only_settings(request, policy_pk: int):
    policy = get_object_or_404(Policy, pk=policy_pk)
    form = TokenOnlyForm(request.POST if request.method == "POST" else None,
                         initial={"allow": policy.allow_token_only})
    if request.method == "POST" and form.is_valid():
        services.policy_token_only_set(policy=policy, allowed=form.cleaned_data["allow"],
                                       actor=request.user, request=request)
        messages.success(request, "Saved.")
        return redirect("acknowledgements:token_only", policy.pk)
    return render(request, "acknowledgements/token_only.html", {"policy": policy, "form": form})
