"""Every URL the portal defines, found by walking the URL resolver (nothing is listed by hand).

A test that takes the `url_case` argument runs once per URL pattern. Each case knows:
- a concrete URL built from the pattern, with arguments that name no existing object;
- how the view is protected: `requires(...)` permissions, `login_required`, Django admin, or
  an entry in the PUBLIC allow-list below. A view that is none of these is reported by the
  walker test, so a view added tomorrow is covered without editing this file.
"""

import inspect
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

ROLES = ["staff", "manager", "principal", "other_principal", "hr", "ceo", "board", "admin",
         "outsider"]

#: Pages anyone may open without signing in, by URL name, with the answers they may give to
#: a visitor (signed in or not). Everything here is the sign-in / password-reset machinery of
#: django-allauth or the health check; add a colleague's deliberately public page (e.g. a
#: signed-link landing page that checks its own token) with a comment saying why.
PUBLIC: dict[str, str] = {
    "healthz": "health check for the load balancer; shows no personal data",
    "favicon": "redirects to the portal's icon (a static file) for every browser's first request",
    "account_login": "sign-in form",
    "account_logout": "sign-out (GET asks to confirm; POST signs out)",
    "account_inactive": "tells a disabled account it is disabled",
    "account_signup": "answers 'sign-up closed' (no open sign-up, see accounts/adapters.py)",
    "account_reset_password": "password reset request (never reveals whether an email exists)",
    "account_reset_password_done": "password reset: 'check your email'",
    "account_reset_password_from_key": "password reset link: checks its own signed key",
    "account_reset_password_from_key_done": "password reset: done",
    "account_email_verification_sent": "allauth: 'check your email'",
    "account_confirm_email": "email confirmation link: checks its own key",
    "account_confirm_login_code": "allauth login-by-code stage: checks the pending login",
    "account_reauthenticate": "re-enter password (redirects anonymous visitors to sign in)",
    "mfa_authenticate": "second sign-in step: checks the pending login in the session",
    "mfa_reauthenticate": "re-enter authenticator code (redirects anonymous to sign in)",
    "socialaccount_login_cancelled": "single sign-on: 'you cancelled'",
    "socialaccount_login_error": "single sign-on: 'something went wrong'",
    "socialaccount_signup": "single sign-on sign-up: checks the pending social login",
    # Signed, expiring, single-use links from acknowledgement emails (people without a portal
    # login acknowledge from these). Each view checks its own token; a made-up token must get
    # an error page, never the policy (checked by the walker).
    "accounts:email_confirm": "signed link sent to a new email address: checks its own token",
    "acknowledgements:link": "signed link from an email: checks its own token",
    "acknowledgements:token_changes": "signed link: checks its own token",
    "acknowledgements:token_read": "signed link: checks its own token",
    "acknowledgements:token_acknowledge": "signed link: checks its own token",
    "acknowledgements:token_receipt": "signed link: checks its own token",
    # allauth's unnamed redirects from its old /accounts/social/… URLs to /accounts/3rdparty/…
    "accounts/social/login/cancelled/": "redirect only",
    "accounts/social/login/error/": "redirect only",
    "accounts/social/signup/": "redirect only",
    "accounts/social/connections/": "redirect only (the target needs sign-in)",
    # Published policy text for the trust's website, only with PUBLIC_POLICIES=1 (404 when
    # off, and for anything not published): never acknowledgement data (tests/documents).
    "public:policy_list": "published policies (PUBLIC_POLICIES=1 only)",
    "public:policy_current": "a policy's published version (PUBLIC_POLICIES=1 only)",
    "public:version_read": "a published version's text (PUBLIC_POLICIES=1 only)",
    "public:version_pdf": "a published version's PDF (PUBLIC_POLICIES=1 only)",
}

#: Pages that exist only when a setting switches them on; signed-in visitors allowed by the
#: permission table get 404 in the test settings.
SWITCHED_OFF: dict[str, str] = {
    "outbox": "the development mail outbox exists only with DEBUG on",
    "outbox_message": "the development mail outbox exists only with DEBUG on",
}

PROJECT_APPS = {"core", "accounts", "audit", "policies", "acknowledgements", "notifications",
                "breaches", "approvals", "auditpacks", "portal", "documents"}

SAMPLE_BY_CONVERTER = {
    "int": "987654", "uuid": "3f2b8c1e-9d4a-4c1e-8f00-000000000000", "slug": "no-such-thing",
    "str": "no-such-thing", "path": "no-such-thing",
}
REGEX_SAMPLES = ["987654", "no-such-thing", "abc", "x"]


@dataclass(frozen=True)
class UrlCase:
    route: str
    name: str | None
    url: str
    callback: object
    has_args: bool

    @property
    def key(self) -> str:
        """The name used in allow-lists: the URL name, or the route for unnamed patterns."""
        return self.name or self.route

    @property
    def is_third_party(self) -> bool:
        module = getattr(self.callback, "__module__", "") or ""
        return module.split(".")[0] not in PROJECT_APPS

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")

    @property
    def is_public(self) -> bool:
        return self.key in PUBLIC


def _regex_group_end(text: str, start: int) -> int:
    """Index just after the parenthesis group opening at text[start]."""
    depth, i = 0, start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError(f"unbalanced regex {text!r}")


def _regex_sample(sub: str) -> str:
    for candidate in REGEX_SAMPLES + sub.split("|"):
        if re.fullmatch(sub, candidate):
            return candidate
    raise ValueError(f"no sample value matches {sub!r}")


def _concrete(pattern) -> tuple[str, str, bool]:
    """(readable route, concrete path, has arguments) for one pattern segment."""
    if isinstance(pattern, RoutePattern):
        route = str(pattern._route)
        concrete = re.sub(
            r"<(?:(?P<conv>[^>:]+):)?(?P<name>\w+)>",
            lambda m: SAMPLE_BY_CONVERTER.get(m.group("conv") or "str", "no-such-thing"),
            route,
        )
        return route, concrete, concrete != route
    if isinstance(pattern, RegexPattern):
        regex = pattern._regex.lstrip("^").rstrip("$").removesuffix("\\Z")
        out, i, has_args = [], 0, False
        while i < len(regex):
            if regex.startswith("(?P<", i):
                end = _regex_group_end(regex, i)
                inner = regex[regex.index(">", i) + 1:end - 1]
                out.append(_regex_sample(inner))
                has_args = True
                i = end
            elif regex[i] == "\\" and i + 1 < len(regex):
                out.append(regex[i + 1])
                i += 2
            else:
                out.append(regex[i])
                i += 1
        return pattern._regex, "".join(out), has_args
    raise TypeError(f"unknown URL pattern type {type(pattern)!r}")


def _walk(resolver, route="", path="", namespace="", has_args=False):
    for entry in resolver.url_patterns:
        r, p, a = _concrete(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from _walk(entry, route + r, path + p, ns, has_args or a)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else None
            yield UrlCase(route + r, name, "/" + path + p, entry.callback, has_args or a)


def all_url_cases() -> list[UrlCase]:
    cases, seen = [], set()
    for case in _walk(get_resolver()):
        if case.route in seen:  # the same route defined twice: the first one wins anyway
            continue
        seen.add(case.route)
        cases.append(case)
    return cases


# --- how a view is protected -------------------------------------------------------------

def _chain(fn):
    seen = []
    while fn is not None and fn not in seen:
        seen.append(fn)
        fn = getattr(fn, "__wrapped__", None)
    return seen


def _is_login_wrapper(fn) -> bool:
    code = getattr(fn, "__code__", None)
    if code is None or not code.co_filename.replace("\\", "/").endswith(
        "django/contrib/auth/decorators.py"
    ):
        return False
    test = inspect.getclosurevars(fn).nonlocals.get("test_func")
    return test is not None and "is_authenticated" in test.__code__.co_names


def _decorators_of(method) -> list:
    """Decorators applied with django.utils.decorators.method_decorator."""
    try:
        nonlocals = inspect.getclosurevars(method).nonlocals
    except (TypeError, ValueError):
        return []
    decorators = nonlocals.get("decorators")
    return list(decorators) if isinstance(decorators, list | tuple) else []


def required_permissions(callback) -> tuple[str, ...] | None:
    for fn in _chain(callback):
        if getattr(fn, "required_permissions", None):
            return tuple(fn.required_permissions)
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        for klass in view_class.__mro__:
            dispatch = vars(klass).get("dispatch")
            if dispatch is not None and getattr(dispatch, "required_permissions", None):
                return tuple(dispatch.required_permissions)
    return None


def is_login_required(callback) -> bool:
    if any(_is_login_wrapper(fn) for fn in _chain(callback)):
        return True
    view_class = getattr(callback, "view_class", None)
    if view_class is None:
        return False
    if issubclass(view_class, LoginRequiredMixin):
        return True
    for klass in view_class.__mro__:
        dispatch = vars(klass).get("dispatch")
        if dispatch is None:
            continue
        decorators = [d for level in _chain(dispatch) for d in _decorators_of(level)]
        if any(d is login_required or _is_login_wrapper(d) for d in decorators):
            return True
        # allauth's reauthentication_required treats anonymous visitors as needing sign-in.
        if any(getattr(d, "__qualname__", "").startswith("reauthentication_required.")
               for d in decorators):
            return True
    return False


def protection(case: UrlCase) -> str:
    """'public', 'admin', 'permission', 'login', or 'none' (which the walker reports)."""
    if case.is_public:
        return "public"
    if case.is_admin:
        return "admin"
    if required_permissions(case.callback):
        return "permission"
    if is_login_required(case.callback):
        return "login"
    return "none"


def resolves_to_itself(case: UrlCase) -> bool:
    match = resolve(case.url.split("?")[0])
    return match.func is case.callback or match.route == case.route


# --- HTML helpers ------------------------------------------------------------------------

class FormAndScriptParser(HTMLParser):
    """Collects POST forms (and whether each has a CSRF field) and CSP-unsafe markup."""

    def __init__(self):
        super().__init__()
        self.post_forms: list[dict] = []
        self._form: dict | None = None
        self.inline_scripts = 0
        self.unsafe_attributes: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, _value in attrs:
            if name == "style" or (name.startswith("on") and len(name) > 2) or name == "hx-on" \
                    or name.startswith("hx-on:") or name.startswith("hx-on-"):
                self.unsafe_attributes.append(f"<{tag} {name}=…>")
        if tag == "script" and not attributes.get("src"):
            kind = (attributes.get("type") or "").lower()
            if kind not in {"application/json", "application/ld+json", "text/template"}:
                self.inline_scripts += 1
        if tag == "form":
            self._form = {"method": (attributes.get("method") or "get").lower(),
                          "action": attributes.get("action") or "", "csrf": False}
            if self._form["method"] == "post":
                self.post_forms.append(self._form)
        if tag == "input" and self._form is not None \
                and attributes.get("name") == "csrfmiddlewaretoken" and attributes.get("value"):
            self._form["csrf"] = True

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def parse_html(content: bytes) -> FormAndScriptParser:
    parser = FormAndScriptParser()
    parser.feed(content.decode("utf-8", errors="replace"))
    return parser


ROOT = Path(__file__).resolve().parents[2]

URL_CASES = all_url_cases()


PAGE_CASES = [c for c in URL_CASES if not c.has_args]


#: Findings reported to the owning engineer and not fixed yet when these tests were last
#: updated, by URL name: the walker marks them as expected failures (xfail, not strict) so the
#: rest of the suite stays green while each stays visible in every test run's summary.
#: Remove an entry once its view is fixed.
KNOWN_FINDINGS: dict[str, str] = {}


def _param(case: UrlCase):
    if case.key in KNOWN_FINDINGS:
        return pytest.param(case, id=case.route, marks=pytest.mark.xfail(
            reason=f"known finding: {KNOWN_FINDINGS[case.key]}", strict=False))
    return pytest.param(case, id=case.route)


def pytest_generate_tests(metafunc):
    if "url_case" in metafunc.fixturenames:
        metafunc.parametrize("url_case", [_param(c) for c in URL_CASES])


def viewer_role(case: UrlCase, org) -> str:
    """A role that may open the page: anonymous for public pages, else the first allowed."""
    kind = protection(case)
    if kind == "public":
        return "anonymous"
    if kind == "admin":
        return "admin"
    from accounts.permissions import can

    permissions = required_permissions(case.callback)
    for role in ROLES:
        if permissions is None or any(can(getattr(org, role), p) for p in permissions):
            return role
    return "admin"


@pytest.fixture
def rendered_pages(client_as, org, floor_view_on):
    """[(case, role, response)] for every page without arguments, as a role that may see it.

    Django admin's own pages are left out: its templates are Django's (CSRF-tested there) and
    only administrators see them.
    """
    pages = []
    for case in PAGE_CASES:
        if case.is_admin:
            continue
        role = viewer_role(case, org)
        client = client_as(role)
        client.raise_request_exception = False
        response = client.get(case.url)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            pages.append((case, role, response))
    return pages


@pytest.fixture
def floor_view_on(settings):
    settings.BENCHMARK_FLOOR_VIEW = True
