"""What readers of published policy text are shown, kept in Django's cache (Redis in production).

Two kinds of entries:

- **by content**: keyed by a version and its content hash (its clauses never change once it is
  published), e.g. the reading pages of a version;
- **by generation**: everything else a reading page shows that could change, such as an
  academy's approved addendum and who approved it, the comprehension questions, which other
  policies can be read (the mention links), an academy's name. These are keyed by a
  **generation** that is bumped whenever any policy, version, clause, addendum, question or
  academy is saved or deleted (signals, see `connect`), at once and again after the commit,
  so an entry worked out from the data before the commit is never served after it. The
  generation is stored in the entry (read with it in one round trip) and an entry of another
  generation is worked out again. Generations work as everywhere else (`core.caching`).

Entries hold plain data (strings, numbers, tuples, dicts): unpickling model instances costs
more than the queries they save. When the cache cannot be reached everything is worked out
from the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.cache import cache

from core import navcache
from core.caching import bump_generations, follow_changes, generations, get_many

log = logging.getLogger(__name__)

GENERATION_KEY = "policies:text:generation"
#: Seconds an entry stays cached (its key changes whenever what it holds could).
ENTRY_SECONDS = 7 * 24 * 3600


def bump(*args, **kwargs) -> None:
    """Something a reading page shows may have changed (also a signal receiver)."""
    bump_generations([GENERATION_KEY])


def read_many(entries: list[tuple[str, Callable[[], object], bool]],
              timeout: int = ENTRY_SECONDS, *, person_id: int | None = None) -> list:
    """[(key, compute, by_generation)] -> the values, from the cache or `compute()`.

    One round trip to the cache (`get_many`, the generation with the entries). An entry
    ``by_generation`` is stored with the generation read before it was computed and used only
    while the generation is still that one. `compute()` must not return None. When the cache
    is down every value is computed. ``person_id``: the page's reader, whose navigation comes
    in the same round trip.
    """
    by_generation = any(by_gen for _, _, by_gen in entries)
    keys = [key for key, _, _ in entries]
    try:
        found = get_many([*keys, GENERATION_KEY] if by_generation else keys,
                         **(navcache.navigation_keys(person_id) if person_id else {}))
        gen = found.get(GENERATION_KEY) if by_generation else None
        if by_generation and gen is None:
            [gen] = generations([GENERATION_KEY])
    except Exception:
        log.warning("policy text cache unavailable", exc_info=True)
        return [compute() for _, compute, _ in entries]
    values, missing = [], {}
    for key, compute, by_gen in entries:
        value = found.get(key)
        if by_gen:
            if value is not None and value[0] == gen:
                value = value[1]
            else:
                value = compute()
                missing[key] = (gen, value)
        elif value is None:
            value = missing[key] = compute()
        values.append(value)
    if missing:
        try:
            cache.set_many(missing, timeout)
        except Exception:
            log.warning("policy text cache unavailable", exc_info=True)
    return values


#: Models whose saves and deletes bump the generation.
MODELS = ("policies.Policy", "policies.PolicyVersion", "policies.Clause",
          "policies.AcademyAddendum", "accounts.Academy", "acknowledgements.Question")


def connect() -> None:
    follow_changes(MODELS, bump, "policies.textcache")


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
