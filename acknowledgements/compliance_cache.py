"""The compliance dashboards' figures and rows, kept in Django's cache (Redis in production).

A dashboard adds up hundreds or thousands of acknowledgement requests; it is opened far more
often than its figures change. Each answer is cached (`core.caching`) under the namespaces of
what it depends on, so it is worked out again as soon as anything in it changes:

- ``nav`` (`core/navcache.py`: people, academies, policy versions, new acknowledgement
  requests);
- ``compliance:academy:<id>`` for one academy's figures, ``compliance`` for the trust's: both
  bumped by every acknowledgement record saved (`connect`), with the person's own
  ``nav:person:<id>`` (their home page);
- today's date (what is overdue).

The People rows of a page are kept as the output of their template (`rows_html`), keyed by
their content and by which rows the viewer may send a reminder for: a changed answer has other
rows, so other HTML, and nobody is shown a "Remind" button that is not theirs.

Entries also expire after `COMPLIANCE_CACHE_SECONDS` (default 60; 0 switches the cache off).
When the cache is down, the dashboard is worked out from the database.
"""

import hashlib

from django.conf import settings

from core import navcache
from core.caching import bump_on_change
from core.caching import cached as cached_in_namespaces

WHOLE_TRUST = "compliance"


def _academy(academy_id: int | None) -> str:
    return f"compliance:academy:{academy_id or 'none'}"


def namespaces_changed_by(record, update_fields=None) -> list[str]:
    """An acknowledgement recorded: its person's academy's and the whole trust's figures, and
    that person's home page."""
    person = record.person
    return [WHOLE_TRUST, _academy(person.academy_id), navcache.person_namespace(person.pk)]


def connect() -> None:
    bump_on_change(["acknowledgements.Acknowledgement"], namespaces_changed_by,
                   "acknowledgements.compliance_cache")


def _seconds() -> int:
    return int(getattr(settings, "COMPLIANCE_CACHE_SECONDS", 60))


def versions(compute):
    """compute() -> the policy versions the dashboards offer, cached while no version, policy
    or person changed (``nav``)."""
    return cached_in_namespaces([navcache.TRUST], "compliance:versions", compute, _seconds())


def cached(academy_id: int | None, params: tuple, compute):
    """compute() -> a dashboard's data for one academy (None: several academies), cached while
    nothing it depends on changed. `params`: everything else the answer depends on."""
    scope = _academy(academy_id) if academy_id is not None else WHOLE_TRUST
    digest = hashlib.sha256(repr((academy_id, params)).encode()).hexdigest()
    return cached_in_namespaces([navcache.TRUST, scope], f"compliance:dashboard:{digest}", compute,
                        _seconds())


def rows_digest(rows: list[dict]) -> str:
    """What a page's People rows hold (worked out with the rows, kept with them)."""
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def rows_html(digest: str, nudge_ids: list[int], render) -> str:
    """render() -> the People rows' HTML (their template), cached by the rows' content
    (`rows_digest`) and the rows the viewer may send a reminder for: no namespace needed,
    as a change to what the rows show changes the digest."""
    key = hashlib.sha256(repr((digest, nudge_ids)).encode()).hexdigest()
    return cached_in_namespaces([], f"compliance:rows:{key}", render, _seconds())
