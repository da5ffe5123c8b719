"""What readers of published policy text are shown, kept in Django's cache (Redis in production).

Two kinds of entries (both `core.caching.cached_many`):

- **by content**: keyed by a version and its content hash (its clauses never change once it is
  published), e.g. the reading pages of a version: no namespace;
- **by namespace** ``text``: everything else a reading page shows that could change, such as
  an academy's approved addendum (or that it has none; who approved it is shown by their name
  now, read from the database), which other policies can be read (the mention links), an
  academy's name. ``text`` is bumped whenever any policy, version, clause,
  addendum or academy is saved or deleted (signals, see `connect`).

Entries hold plain data (strings, numbers, tuples, dicts): unpickling model instances costs
more than the queries they save. When the cache cannot be reached everything is worked out
from the database. The comprehension questions are not cached: they are evidence inputs.
"""

from __future__ import annotations

from collections.abc import Callable

from core.caching import bump as bump_namespaces
from core.caching import bump_on_change, cached_many

NAMESPACE = "text"
#: Seconds an entry stays cached (its key changes whenever what it holds could).
ENTRY_SECONDS = 7 * 24 * 3600


def bump() -> None:
    """Something a reading page shows may have changed."""
    bump_namespaces(NAMESPACE)


def read_many(entries: list[tuple[str, Callable[[], object], bool]],
              timeout: int = ENTRY_SECONDS) -> list:
    """[(key, compute, by_namespace)] -> the values, from the cache or `compute()`, in one
    cache round trip. `compute()` must not return None."""
    return cached_many([(key, compute, [NAMESPACE] if by_namespace else [])
                        for key, compute, by_namespace in entries], timeout)


#: Models whose saves and deletes bump the namespace.
MODELS = ("policies.Policy", "policies.PolicyVersion", "policies.Clause",
          "policies.AcademyAddendum", "accounts.Academy")


def connect() -> None:
    bump_on_change(MODELS, lambda instance, update_fields: [NAMESPACE], "policies.textcache")


# --------------------------------------------------------------------------- addenda


def addendum_entry(version, academy_id: int):
    """The `read_many` entry of this academy's approved addendum to an immutable version."""
    key = f"policies:addendum:v2:{version.pk}:{version.content_hash}:{academy_id}"
    return (key, lambda: {"row": _addendum_row(version.pk, academy_id)}, True)


def _addendum_row(version_pk: int, academy_id: int) -> tuple | None:
    from policies.selectors import approved_addenda

    return approved_addenda(version_pk, academy_id).values_list(
        "pk", "text", "content_hash", "approved_at", "approved_by_id", "academy__name").first()


def addendum_from(version, academy_id: int, data: dict):
    """The `AcademyAddendum` (with its academy) from its entry, or None."""
    from accounts.models import Academy
    from policies.models import AcademyAddendum

    row = data["row"]
    if row is None:
        return None
    pk, text, content_hash, approved_at, approved_by_id, academy_name = row
    addendum = AcademyAddendum(
        id=pk, version=version, academy=Academy(id=academy_id, name=academy_name), text=text,
        status=AcademyAddendum.Status.APPROVED, content_hash=content_hash,
        approved_at=approved_at, approved_by_id=approved_by_id)
    return addendum
