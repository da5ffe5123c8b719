"""The import page's two steps for tests: post the document, then confirm its preview."""

from __future__ import annotations

import html
import re

from django.urls import reverse

_HIDDEN_RE = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', re.S)


def preview_fields(response) -> dict[str, str]:
    """The hidden fields of the preview's "Import as a draft" form, as the browser posts them."""
    page = response.content.decode()
    form = page[page.index('<form method="post" class="stacked-form">'):]
    return {name: html.unescape(value) for name, value in _HIDDEN_RE.findall(form)
            if name != "csrfmiddlewaretoken"}


def confirm_preview(client, response, **extra):
    """Press "Import as a draft" on the preview ``response`` (``confirm_warnings="on"`` ticks
    the box)."""
    assert response.status_code == 200, response.status_code
    return client.post(reverse("policies:policy_import"), {**preview_fields(response), **extra})


def import_through_preview(client, data: dict, **extra):
    """Post ``data`` to the import page and confirm the preview it shows."""
    return confirm_preview(client, client.post(reverse("policies:policy_import"), data), **extra)
