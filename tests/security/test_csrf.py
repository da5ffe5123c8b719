"""Every form that changes something carries a CSRF token, and a POST without one is refused."""

from django.test import Client

from tests.security.conftest import parse_html, protection, viewer_role

#: Views deliberately exempt from CSRF (e.g. a webhook that checks its own signature): none.
CSRF_EXEMPT: dict[str, str] = {}


def test_every_post_form_on_every_page_carries_a_csrf_token(rendered_pages):
    checked, missing = 0, []
    for case, role, response in rendered_pages:
        for form in parse_html(response.content).post_forms:
            checked += 1
            if not form["csrf"]:
                missing.append(f"{case.url} as {role}: <form method=post "
                               f"action={form['action']!r}>")
    assert not missing, "POST forms without csrfmiddlewaretoken:\n" + "\n".join(missing)
    assert checked >= 5  # the sign-out form on every signed-in page, at least


def test_a_post_without_a_csrf_token_is_refused_with_the_friendly_page(url_case, org):
    if url_case.key in CSRF_EXEMPT:
        return
    client = Client(enforce_csrf_checks=True)
    role = viewer_role(url_case, org) if protection(url_case) != "public" else "anonymous"
    if role != "anonymous":
        client.force_login(getattr(org, role))
    response = client.post(url_case.url, {"anything": "x"})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
    assert "nothing was saved" in response.content.decode()
