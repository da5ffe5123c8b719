"""Security headers on every kind of answer, production transport settings, and CSP-safe markup."""

import json
import os
import re
import subprocess
import sys

import pytest
from django.urls import reverse

from tests.security.conftest import ROOT, parse_html


def _csp(response) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy", "")
    directives = {}
    for part in filter(None, (p.strip() for p in header.split(";"))):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.fixture
def answers(client_as, org):
    """A signed-in page, the sign-in form, a 403 and a 404: each kind of answer the portal gives."""
    staff = client_as("staff")
    return {
        "home": staff.get(reverse("home")),
        "sign-in": client_as("anonymous").get(reverse("account_login")),
        "forbidden": staff.get(reverse("audit:event_list")),
        "not found": staff.get("/no-such-page/"),
    }


def test_every_answer_has_a_csp_that_forbids_inline_and_eval_scripts(answers):
    for kind, response in answers.items():
        csp = _csp(response)
        scripts = csp.get("script-src", csp.get("default-src"))
        assert scripts, f"{kind}: no script-src or default-src"
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*"} & set(scripts), kind
        assert csp.get("object-src") == ["'none'"], kind
        assert csp.get("base-uri") == ["'self'"], kind


def test_every_answer_forbids_inline_styles_too(answers):
    for kind, response in answers.items():
        styles = _csp(response).get("style-src", _csp(response).get("default-src"))
        assert "'unsafe-inline'" not in styles, kind


def test_no_page_can_be_framed(answers):
    for kind, response in answers.items():
        assert response["X-Frame-Options"] == "DENY", kind
        assert _csp(response).get("frame-ancestors") == ["'none'"], kind


def test_every_answer_sets_nosniff_referrer_and_opener_policies(answers):
    for kind, response in answers.items():
        assert response["X-Content-Type-Options"] == "nosniff", kind
        assert response["Referrer-Policy"] == "same-origin", kind
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", kind


def test_the_error_pages_are_the_portals_own_friendly_pages(answers):
    assert "You cannot see this page" in answers["forbidden"].content.decode()
    assert answers["not found"].status_code == 404
    assert "Traceback" not in answers["not found"].content.decode()


# --- production settings, in a separate process (tests force DEBUG off but no HTTPS) -------

PROBE = r"""
import json, django
django.setup()
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import setup_test_environment
from django.contrib.sessions.middleware import SessionMiddleware

# The manifest needs collectstatic; it has no bearing on headers or cookies.
settings.STORAGES = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
setup_test_environment()
from django.contrib.sessions.models import Session
from django.db import connection
with connection.schema_editor() as editor:  # only the session table; no migrate signals
    editor.create_model(Session)
client = Client()
plain = client.get("/no-such-page/")
secure = client.get("/no-such-page/", secure=True)
health = client.get("/healthz")

def signed_in(request):
    request.session["who"] = "someone"
    return HttpResponse("ok")

session_response = SessionMiddleware(signed_in)(RequestFactory().get("/", secure=True))
cookies = {**secure.cookies, **session_response.cookies}
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location", "")],
    "health": health.status_code,
    "hsts": secure.get("Strict-Transport-Security", ""),
    "cookies": {name: {"secure": bool(m["secure"]), "httponly": bool(m["httponly"]),
                       "samesite": m["samesite"], "max-age": m["max-age"]}
                for name, m in cookies.items()},
}))
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    folder = tmp_path_factory.mktemp("production")
    clean = {k: v for k, v in os.environ.items()
             if k not in {"DEBUG", "PORTAL_TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL"}}
    env = {
        **clean, "DJANGO_SETTINGS_MODULE": "portal.settings", "PYTHONPATH": str(ROOT),
        "SECRET_KEY": "production-" + "s3cret-" * 8, "ALLOWED_HOSTS": "testserver",
        "ACK_CHAIN_KEY": "production-chain-" + "k3y-" * 8,
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}", "PORTAL_VAR_DIR": str(folder),
        "LOG_LEVEL": "CRITICAL",
    }
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_sends_plain_http_to_https_except_the_health_check(production):
    status, location = production["plain"]
    assert status == 301 and location.startswith("https://")
    assert production["health"] in (200, 503)


def test_production_tells_browsers_to_use_https_for_a_year(production):
    hsts = production["hsts"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31_536_000
    assert "includeSubDomains" in hsts


def test_production_cookies_are_secure_httponly_and_same_site(production):
    for name in ("sessionid", "csrftoken"):
        cookie = production["cookies"][name]
        assert cookie["secure"] and cookie["httponly"], name
        assert cookie["samesite"] == "Lax", name


def test_the_production_session_cookie_dies_with_the_browser(production):
    assert production["cookies"]["sessionid"]["max-age"] == ""  # no Max-Age: a browser session


# --- markup the CSP would break -----------------------------------------------------------

TEMPLATE_DIRS = [ROOT / "templates", *sorted(ROOT.glob("*/templates"))]
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I | re.S)
HANDLER_ATTRIBUTE = re.compile(r"<[a-z][^>]*\s(on[a-z]+|hx-on[:-]?[\w:-]*)\s*=", re.I | re.S)
#: Templates that are never served to a browser under the CSP (e-mail bodies, PDF sources).
NOT_SERVED = re.compile(r"/(email|emails|pdf)/|_email\.html$|\.txt$")


def _templates():
    for folder in TEMPLATE_DIRS:
        for path in sorted(folder.rglob("*.html")):
            if not NOT_SERVED.search(path.as_posix()):
                yield path


def test_no_template_has_an_inline_script_style_attribute_or_event_handler():
    found = []
    for path in _templates():
        text = path.read_text()
        for label, pattern in (("inline <script>", INLINE_SCRIPT),
                               ("style= attribute", STYLE_ATTRIBUTE),
                               ("on*= / hx-on handler", HANDLER_ATTRIBUTE)):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {label}")
    assert not found, "The CSP would block these:\n" + "\n".join(found)


def test_no_rendered_page_has_markup_the_csp_would_block(rendered_pages):
    found = []
    for case, role, response in rendered_pages:
        parsed = parse_html(response.content)
        if parsed.inline_scripts:
            found.append(f"{case.url} as {role}: {parsed.inline_scripts} inline <script>")
        found.extend(f"{case.url} as {role}: {a}" for a in parsed.unsafe_attributes)
    assert not found, "The CSP would block these:\n" + "\n".join(found)
    assert len(rendered_pages) >= 5
