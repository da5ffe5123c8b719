"""Walk every URL the portal defines with every role, and anonymous, against the permission table.

The URL list comes from Django's resolver (see conftest.py), so a page a colleague adds is walked
the moment its urls.py lands. What each role should get:

- a view decorated with `accounts.permissions.requires(...)`: roles holding one of the named
  permissions open it (200, a redirect that is not to sign-in, or 405 for the wrong method);
  every other role gets 403 (or 404/405), never the page;
- a `login_required` view: every signed-in role may open it;
- a pattern with arguments is requested with an object that does not exist: everyone gets
  403/404/405, never 200 and never a 500;
- anonymous visitors are sent to sign in, or get 403/404/405;
- Django admin (admin/…): every admin view is gated by `AdminSite.admin_view` (is_staff), which
  only the administrator role has; the walk checks that non-staff roles are sent to sign in and
  that the administrator never gets a 500, but does not hold admin pages against the
  permission table (Django's admin has its own model permissions, and only `admin` is staff).
"""

import pytest
from django.urls import reverse

from accounts.permissions import PERMISSIONS, can
from tests.security.conftest import (
    PUBLIC,
    ROLES,
    SWITCHED_OFF,
    URL_CASES,
    protection,
    required_permissions,
    resolves_to_itself,
)

ADMIN_WALK_ROLES = ["anonymous", "staff", "hr", "admin"]


def _sign_in_url() -> str:
    return reverse("account_login")


def _sends_to_sign_in(response) -> bool:
    location = response.get("Location", "")
    return response.status_code == 302 and (
        location.startswith(_sign_in_url()) or location.startswith("/admin/login/")
    )


def _final(client, response, hops: int = 3):
    """Follow redirects (GET) to where they end, for pages that redirect before a lookup."""
    while hops and response.status_code in (301, 302, 303) and not _sends_to_sign_in(response):
        response = client.get(response["Location"])
        hops -= 1
    return response


def _judge(case, kind: str, role: str, method: str, response, user, client) -> str | None:
    """None when the answer is right, else what was expected."""
    status = response.status_code
    if status >= 500 and not (case.key == "healthz" and status == 503):  # 503: unhealthy
        return "never a server error"
    if kind == "public":
        if case.has_args and not case.is_third_party and status == 200:
            return "a made-up token or key gets an error page, never the content"
        return None
    if kind == "admin":
        if role == "admin" or status in (403, 404, 405) or _sends_to_sign_in(response):
            return None
        if status == 302 and response["Location"] == "/admin/":  # admin index is gated too
            return None
        return "non-staff roles are sent to sign in (Django admin is for administrators only)"
    if role == "anonymous":
        if _sends_to_sign_in(response) or status in (403, 404, 405):
            return None
        return "anonymous visitors are sent to sign in, or get 403/404"
    permissions = required_permissions(case.callback)
    allowed = permissions is None or any(can(user, p) for p in permissions)
    if not allowed:
        if status in (403, 404, 405):
            return None
        return f"403/404: the role lacks {', '.join(permissions)}"
    if case.has_args or case.key in SWITCHED_OFF:
        if _final(client, response).status_code in (403, 404, 405):
            return None
        return "403/404 for an object that does not exist (after any redirect)"
    if _sends_to_sign_in(response):
        return "a signed-in role that may see the page is not sent back to sign in"
    if kind == "login" and status in (403, 404):  # the view applies its own finer check
        return None
    if case.is_third_party and status == 404:  # e.g. allauth: "no recovery codes to show"
        return None
    if method == "get" and status not in (200, 301, 302, 303, 405):
        return "the page (200), a redirect or 405 for a role the table allows"
    return None


@pytest.mark.parametrize("role", [None])  # keeps the id readable: one test per URL
def test_every_view_requires_a_permission_or_sign_in_unless_listed_as_public(url_case, role):
    kind = protection(url_case)
    assert kind != "none", (
        f"{url_case.route} ({url_case.key}) is neither decorated with "
        "accounts.permissions.requires(...) nor login_required, and is not in the PUBLIC "
        "allow-list of tests/security/conftest.py. Protect the view, or list it as public with "
        "the reason."
    )
    assert resolves_to_itself(url_case), f"sample URL {url_case.url} resolves elsewhere"


def test_each_role_gets_only_what_the_permission_table_allows(url_case, client_as, org,
                                                              floor_view_on):
    kind = protection(url_case)
    if kind == "none":  # reported by the test above; still check what each role gets
        kind = "login"
    roles = ADMIN_WALK_ROLES if kind == "admin" else ["anonymous", *ROLES]
    problems = []
    for role in roles:
        client = client_as(role)
        client.raise_request_exception = False
        user = getattr(org, role, None)
        for method in ("get", "post"):
            response = getattr(client, method)(url_case.url)
            expected = _judge(url_case, kind, role, method, response, user, client)
            if expected:
                problems.append(
                    f"{role:>15} {method.upper():4} {url_case.url} -> {response.status_code} "
                    f"{response.get('Location', '')} (expected {expected})"
                )
    assert not problems, "\n".join(problems)


def test_the_public_allow_list_names_only_urls_that_exist():
    assert sorted(set(PUBLIC) - {c.key for c in URL_CASES}) == []


def test_every_permission_a_view_requires_is_in_the_permission_table():
    unknown = {
        (case.route, p)
        for case in URL_CASES
        for p in (required_permissions(case.callback) or ())
        if p not in PERMISSIONS
    }
    assert unknown == set()
