"""Pages for the person acknowledging: their list, reading, acknowledging, receipts, links."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from accounts.permissions import requires
from acknowledgements import selectors, services
from acknowledgements.models import Acknowledgement, Assignment, Method
from acknowledgements.sections import section_for_clause
from policies.marks import render_marks_html
from policies.models import PolicyVersion
from policies.redline import summary as redline_summary
from policies.selectors import version_redline

LINK_SESSION_KEY = "ack_links"


@dataclass
class Reader:
    """Who is reading: a signed-in person, or someone holding a token-only link; and what
    this request has worked out for them (once)."""

    assignment: Assignment
    token: str = ""
    nonce: str = ""
    reading: services.Reading | None = None
    _served: set[str] | None = field(default=None, repr=False)

    def url(self, name: str, *args) -> str:
        if self.token:
            return reverse(f"acknowledgements:token_{name}", args=[self.token, *args])
        return reverse(f"acknowledgements:{name}", args=[self.assignment.pk, *args])

    def page_url(self, index: int) -> str:
        return self.url("read", index)

    def served(self) -> set[str]:
        """The keys of the sections already served to the person (read once)."""
        if self._served is None:
            assignment = self.assignment
            self._served = services.sections_seen(person=assignment.person,
                                                  version=assignment.version)
        return self._served


#: Columns of the version row the reading pages never use (the imported document is large).
VERSION_UNUSED = ("version__source_text", "version__cover")
#: The columns the acknowledge page and its POST use (the record, the statement, the page).
ACKNOWLEDGE_COLUMNS = (
    "id", "person_id", "version_id", "assigned_on", "due_on", "source", "acknowledgement_id",
    "acknowledged_at", "version__policy_id", "version__label", "version__status",
    "version__content_hash", "version__previous_id", "version__published_at",
    "version__policy__title", "version__policy__slug", "version__policy__allow_token_only",
)


def _own_assignment(request, pk: int, *, with_record: bool = False,
                    only: tuple | None = None) -> Assignment:
    """The signed-in person's own assignment (404 otherwise), with its version and policy.

    The person is the signed-in user already loaded (not joined again); the record is joined
    only for the receipt. ``only``: the columns the page uses."""
    if with_record:
        assignment = (Assignment.objects.select_related("version", "version__policy",
                                                        "acknowledgement")
                      .defer(*VERSION_UNUSED).filter(pk=pk, person_id=request.user.pk).first())
    else:
        assignment = selectors.own_assignment(pk, request.user.pk, only=only,
                                              unused=VERSION_UNUSED)
    if assignment is None:
        raise Http404("No such request.")
    assignment.person = request.user
    return assignment


def _reading(reader: Reader) -> services.Reading:
    """Sections, content hash and statement for this reader, worked out once per request."""
    if reader.reading is None:
        assignment = reader.assignment
        reader.reading = services.reading_for(assignment.version, assignment.person)
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
                                     reading=_reading(reader), served=reader.served()):
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
    served = reader.served()
    if (section.key not in served and version.status == PolicyVersion.Status.PUBLISHED
            and not assignment.is_done):
        services.section_record_served(person=assignment.person, version=version,
                                       key=section.key)
        served.add(section.key)
    seen = {s.key for s in sections} & served
    return render(request, "acknowledgements/read.html", {
        "reader": reader, "assignment": assignment, "version": version, "section": section,
        "sections": [{"s": s, "url": reader.page_url(s.index), "seen": s.key in seen}
                     for s in sections],
        "count": len(sections), "seen_count": len(seen),
        "previous_url": reader.page_url(index - 1) if index > 1 else "",
        "next_url": reader.page_url(index + 1) if index < len(sections) else "",
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


def _record(request, reader: Reader, stored_answers: list):
    """Append the record for what was posted; the outcome, or a response when the person's
    single-use link was spent."""
    assignment = reader.assignment
    method, nonce = Method.PORTAL, ""
    if reader.token:
        method, nonce = Method.TOKEN_ONLY, reader.nonce
    else:
        nonce = request.session.get(LINK_SESSION_KEY, {}).get(str(assignment.pk), "")
        if nonce:
            method = Method.EMAIL_LINK
    try:
        return services.acknowledgement_record(
            assignment=assignment, method=method, request=request, answers=stored_answers,
            link_nonce=nonce, reading=reader.reading, served=reader.served())
    except services.LinkUsed as error:
        if reader.token:
            return _link_problem(request, error)
        # The emailed link was spent elsewhere; the signed-in person still may.
        return services.acknowledgement_record(
            assignment=assignment, method=Method.PORTAL, request=request,
            answers=stored_answers, reading=reader.reading, served=reader.served())


def _acknowledge(request, reader: Reader):
    assignment = reader.assignment
    version = assignment.version
    if assignment.is_done:
        messages.info(request, "You have already acknowledged this version. Nothing more to do.")
        return redirect(reader.url("receipt"))
    reading = _reading(reader)
    # From the database (never the cache): their text and answers go into the record.
    questions = reading.questions
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
            try:
                outcome = _record(request, reader, stored_answers)
            except services.AcknowledgementError as error:
                errors.append(str(error))
            else:
                if isinstance(outcome, HttpResponse):
                    return outcome
                return _recorded(request, reader, outcome)
    missing = services.sections_missing(person=assignment.person, version=version,
                                        reading=reading, served=reader.served())
    return render(request, "acknowledgements/acknowledge.html", {
        "reader": reader, "assignment": assignment, "version": version,
        "statement": reading.statement, "content_hash": reading.content_hash, "errors": errors,
        "missing": [{"s": s, "url": reader.page_url(s.index)} for s in missing],
        "questions": _question_rows(reader, questions, answers, wrong_ids, reading.sections),
        "agreed": request.POST.get("agree") == "yes",
    }, status=400 if errors else 200)


def _recorded(request, reader: Reader, outcome: services.Outcome):
    assignment = reader.assignment
    links = request.session.get(LINK_SESSION_KEY, {})
    if str(assignment.pk) in links:
        links.pop(str(assignment.pk))
        request.session[LINK_SESSION_KEY] = links
    # A new record: the receipt itself says thank you (no message cookie to set).
    if not outcome.created:
        messages.info(request, "You had already acknowledged this version. Nothing more to do.")
    if reader.token:
        return render(request, "acknowledgements/receipt.html", {
            "record": outcome.record, "assignment": assignment, "reader": reader,
        })
    return redirect(reader.url("receipt"))


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


@requires("acknowledgements.acknowledge")
def read(request, pk: int, index: int):
    return _read(request, Reader(_own_assignment(request, pk)), index)


@requires("acknowledgements.acknowledge")
def acknowledge(request, pk: int):
    return _acknowledge(request, Reader(_own_assignment(request, pk, only=ACKNOWLEDGE_COLUMNS)))


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
