"""The hostile-input walk (issue 17): every URL pattern, every role, hostile values in every
query parameter and form field found on the page.

For each URL pattern Django knows (tests/security/conftest.py walks the resolver, so a page added
tomorrow is walked too) and each role of the `org` fixture plus anonymous:

- GET the page with a hostile value in every query parameter its GET forms name (and the usual
  `q`, `page`, `academy`, `action`, `state`, `category`, `sort`);
- POST every form on the page (up to three) with a hostile value in every field;

and assert: never a server error; never the HTML payload unescaped; a POST that is refused
(4xx, or the form re-shown with an error) changes no row of any project table (except the
writes made on purpose, WRITES_ON_REFUSAL: the audit trail and the report draft); and a
re-shown form keeps what was typed in every text field (control characters removed).

Hostile values: NUL and other control characters, 100,000 characters, invalid
percent-escapes, right-to-left override, emoji, SQL and template syntax, HTML. Each
(URL, role) gets a different one in rotation, so every URL meets every value across the
roles; `test_hostile_values_in_searches_and_report_fields` adds Hypothesis-generated text on
the busiest forms. Bounded: one GET and at most three POSTs per URL and role.
"""

import html
import time
import zlib
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from django.apps import apps
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.text import CONTROL_CHARACTERS
from tests.security.conftest import PROJECT_APPS, ROLES, protection

WALK_ROLES = ["anonymous", *ROLES]
SCRIPT = "<script>alert(1)</script>"
HOSTILE = [
    ("control characters", "a\x00b\x01c\x1bd\x7fe\x85f"),
    ("100,000 characters", "x" * 100_000),
    ("invalid percent-escapes", None),  # sent raw in query strings; as text in forms
    ("right-to-left override", "\u202egnp.exe\u202c admin \u200f\u2066x\u2069"),
    ("emoji", "😀👩‍👩‍👧 🇬🇧 \ufeff\u200b"),
    ("SQL", "' OR 1=1; DROP TABLE accounts_user; -- \" ; SELECT pg_sleep(0)"),
    ("template syntax", "{{ request.user.password }}{% debug %}${7*7}#{7*7}"),
    ("HTML", f'{SCRIPT}<img src=x onerror="alert(2)"><a href="javascript:x">'),
]
PERCENT_RAW = "%ZZ%E2%28%%25%C3%28%"
PERCENT_TEXT = "%ZZ%E2%28%"
COMMON_PARAMS = ["q", "page", "academy", "action", "state", "category", "sort"]
SKIP_FIELDS = {"csrfmiddlewaretoken"}
TEXT_TYPES = {"text", "search", "email", "url", "tel", ""}


class FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self._form = {"method": (attributes.get("method") or "get").lower(),
                          "action": attributes.get("action") or "",
                          "multipart": "multipart" in (attributes.get("enctype") or ""),
                          "fields": []}
            self.forms.append(self._form)
        elif self._form is not None and tag in {"input", "textarea", "select"}:
            name = attributes.get("name")
            kind = (attributes.get("type") or "").lower() if tag == "input" else tag
            if name and name not in SKIP_FIELDS and kind not in {"submit", "button", "image",
                                                                  "reset"}:
                self._form["fields"].append((name, kind))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def forms_on(response) -> list[dict]:
    if "html" not in response.get("Content-Type", "") or not hasattr(response, "content"):
        return []
    parser = FormParser()
    parser.feed(response.content.decode("utf-8", errors="replace"))
    return parser.forms


#: Writes a refused form makes on purpose: the audit trail (a failed sign-in is recorded) and
#: the report draft (a refused report is kept as a draft so nothing typed is lost).
WRITES_ON_REFUSAL = {"audit_auditevent", "breaches_reportdraft"}


def row_counts() -> dict[str, int]:
    tables = [m._meta.db_table for m in apps.get_models()
              if m._meta.app_label in PROJECT_APPS and m._meta.managed
              and m._meta.db_table not in WRITES_ON_REFUSAL]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(
            f"SELECT '{table}', COUNT(*) FROM {connection.ops.quote_name(table)}"
            for table in tables))
        return dict(cursor.fetchall())


def _text_value(index: int) -> str:
    label, value = HOSTILE[index % len(HOSTILE)]
    return PERCENT_TEXT if value is None else value


def _query_value(index: int) -> str:
    label, value = HOSTILE[index % len(HOSTILE)]
    return PERCENT_RAW if value is None else quote(value, safe="")


def _refused(response) -> bool:
    if response.status_code >= 400:
        return True
    body = response.content.decode("utf-8", errors="replace") if hasattr(
        response, "content") else ""
    return response.status_code == 200 and ("errorlist" in body or 'role="alert"' in body)


def _kept(value: str) -> str:
    return CONTROL_CHARACTERS.sub("", value).strip()


def _check(problems, where, response, *, healthz=False):
    status = response.status_code
    if status >= 500 and not (healthz and status == 503):
        problems.append(f"{where}: server error {status}")
        return False
    if hasattr(response, "content") and SCRIPT.encode() in response.content:
        problems.append(f"{where}: the HTML payload came back unescaped")
    return True


def _post_form(client, page_url, form, value, problems, where):
    action = form["action"] or page_url
    if not action.startswith("/"):
        return
    data = {}
    for name, kind in form["fields"]:
        if kind == "file":
            continue
        data[name] = value
    before = row_counts()
    response = client.post(action, data)
    if not _check(problems, where, response):
        return
    if _refused(response):
        after = row_counts()
        changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
        if changed:
            problems.append(f"{where}: refused ({response.status_code}) but wrote {changed}")
        if response.status_code == 200 and len(value) <= 1000:
            shown = html.unescape(response.content.decode("utf-8", errors="replace"))
            reshown = {name for f in forms_on(response) for name, _ in f["fields"]}
            for name, kind in form["fields"]:
                if kind in TEXT_TYPES | {"textarea"} and name in reshown \
                        and _kept(value) not in shown:
                    problems.append(f"{where}: the re-shown form lost what was typed in {name}")
                    break


@pytest.mark.django_db
def test_hostile_values_never_break_a_page(url_case, client_as, org):
    if url_case.is_admin or protection(url_case) == "none":
        pytest.skip("Django admin (walked for permissions) / unprotected views are reported "
                    "by the permission walker")
    _walk(url_case.url, url_case.route, client_as, healthz=url_case.key == "healthz")


#: Pages about an object of the `org` fixture: the walk above asks for objects that do not exist
#: (so it meets only the 404), these reach the forms.
OBJECT_PAGES = {
    "person page": lambda org: f"/people/{org.staff.pk}/",
    "person edit form": lambda org: f"/people/{org.staff.pk}/edit/",
    "Principal edit form": lambda org: f"/people/{org.principal.pk}/edit/",
    "academy compliance": lambda org: f"/acknowledgements/compliance/academy/{org.academy.code}/",
}


@pytest.mark.django_db
@pytest.mark.parametrize("page", sorted(OBJECT_PAGES))
def test_hostile_values_never_break_an_object_page(client_as, org, page):
    url = OBJECT_PAGES[page](org)
    _walk(url, url, client_as)


def _walk(url: str, route: str, client_as, *, healthz: bool = False) -> None:
    problems: list[str] = []
    base = zlib.crc32(route.encode()) % len(HOSTILE)
    started = time.monotonic()
    for offset, role in enumerate(WALK_ROLES):
        index = base + offset
        client = client_as(role)
        client.raise_request_exception = False
        page = client.get(url)
        if not _check(problems, f"{role} GET {url}", page, healthz=healthz):
            continue
        params = dict.fromkeys(COMMON_PARAMS)
        for form in forms_on(page):
            if form["method"] == "get":
                params.update(dict.fromkeys(name for name, _ in form["fields"]))
        query = "&".join(f"{quote(name)}={_query_value(index)}" for name in params)
        hostile_get = client.get(f"{url}?{query}")
        _check(problems, f"{role} GET ?…={HOSTILE[index % len(HOSTILE)][0]}", hostile_get,
               healthz=healthz)
        # The sign-out form in every page's header would end the session for the rest.
        posts = [f for f in forms_on(page) if f["method"] == "post"
                 and f["action"] != "/accounts/logout/"][:3]
        if not posts and page.status_code in (200, 405):
            posts = [{"action": url, "fields": [(p, "text") for p in COMMON_PARAMS],
                      "method": "post", "multipart": False}]
        for number, form in enumerate(posts):
            value = _text_value(index + number + 1)
            label = HOSTILE[(index + number + 1) % len(HOSTILE)][0]
            _post_form(client, url, form, value, problems,
                       f"{role} POST {form['action'] or url} ({label})")
    assert not problems, "\n".join(problems)
    assert time.monotonic() - started < 60, "the walk of one URL should take seconds"


SEARCHES = [("staff", "/people/search/concerned/?q="), ("hr", "/people/?q="),
            ("hr", "/audit/?q="), ("principal", "/reports/cases/?q=")]


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=st.text(min_size=1, max_size=300))
def test_hostile_values_in_searches_and_report_fields(client_as, org, text):
    """Any Unicode text (control characters, surrogate-free) in the busiest searches and in a
    report draft: never a server error, and the draft keeps the text without control
    characters."""
    for role, url in SEARCHES:
        client = client_as(role)
        client.raise_request_exception = False
        assert client.get(url + quote(text, safe="")).status_code < 500, (role, url, text)
    client = client_as("staff")
    client.raise_request_exception = False
    response = client.post("/reports/new/autosave/", {
        "description": text, "links": text,
        "draft_token": "6f1c2b9e-2f55-4a8e-9a39-0d7c5f0e1a11"})
    assert response.status_code == 200, text
    from breaches.models import ReportDraft

    draft = ReportDraft.objects.get(owner=org.staff, kind=ReportDraft.Kind.OWN)
    assert draft.data["description"] == CONTROL_CHARACTERS.sub("", text).replace("\r\n", "\n") \
        or draft.data["description"] == CONTROL_CHARACTERS.sub("", text)
