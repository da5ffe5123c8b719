"""Answers kept in Django's cache (Redis in production) that never fail a page.

The cache is a shortcut only: when it cannot be reached, the value is worked out as if it
were missing, and the page is served from the database.
"""

import logging
import time
from contextvars import ContextVar

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------- generations
# A cached answer is stored with the "generations" of what it depends on and used only while
# they are still current; a change bumps a generation to a new value, so every answer worked
# out before it is never used again (and expires on its own). Used by core/navcache.py, the
# compliance dashboards and the policy text cache.


def _new_generation() -> int:
    # Unique even after eviction, so an old entry can never match a recreated generation.
    return time.time_ns()


#: Generations already read in this GET request (`GenerationsPerRequest`), else None.
_read_in_request: ContextVar[dict | None] = ContextVar("portal_cache_generations", default=None)


class GenerationsPerRequest:
    """Middleware: in a GET (or HEAD) request, which changes nothing, each generation is read
    from the cache once however many cached answers the page uses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _read_in_request.set({} if request.method in ("GET", "HEAD") else None)
        try:
            return self.get_response(request)
        finally:
            _read_in_request.reset(token)


def generations(keys: list[str]) -> list[int]:
    """The current generation under each key (created when missing). Raises if the cache is
    down: the caller then works the answer out from the database."""
    return _generations_and_entries(keys, [])[0]


#: Marks an entry already asked for in this request and not found.
_ABSENT = object()


def _read(keys: list[str], generation_keys, entry_keys) -> dict:
    """cache.get_many of all of them in one round trip, less what this GET request has read
    already; the generations found and the entries (found or _ABSENT) are kept for the rest of
    the request (a generation not there yet is left for `_generations_and_entries` to make)."""
    memo = _read_in_request.get()
    known = memo or {}
    remembered = [*generation_keys, *entry_keys]
    found = {key: known[key] for key in remembered if key in known}
    missing = [*keys, *(key for key in remembered if key not in found)]
    if missing:
        found.update(cache.get_many(missing))
    if memo is not None:
        memo.update({key: found[key] for key in generation_keys if key in found})
        memo.update({key: found.get(key, _ABSENT) for key in entry_keys})
    return found


def _generations_and_entries(generation_keys: list[str], entry_keys: list[str]):
    """([generation under each key], {entry key: cached entry or _ABSENT}) in one cache round
    trip, or none for what this GET request has read already."""
    found = _read([], generation_keys, entry_keys)
    memo = _read_in_request.get()
    for key in generation_keys:
        if key not in found:
            value = _new_generation()
            if not cache.add(key, value, timeout=None):
                value = cache.get(key, value)
            found[key] = value
            if memo is not None:
                memo[key] = value
    return ([found[key] for key in generation_keys],
            {key: found.get(key, _ABSENT) for key in entry_keys})


def get_many(keys: list[str], *, generation_keys=(), names=()) -> dict:
    """cache.get_many(keys), bringing in the same round trip, in a GET request, the generations
    and the `cached_under` entries (by name) that the request will ask for next, which are then
    kept for it. Raises if the cache is down."""
    fetch_along = _read_in_request.get() is not None
    found = _read(keys, generation_keys if fetch_along else (),
                  [f"portal:{name}" for name in names] if fetch_along else ())
    return {key: found[key] for key in keys if key in found}


def bump_generations(keys) -> None:
    """Everything cached under these generations is out of date: one cache round trip now,
    so this request's own next page sees the change, and, inside a transaction, one after it
    commits, so an answer someone else worked out in between (from the data before the
    commit) is not kept."""
    keys = sorted(set(keys))
    if not keys:
        return

    def run() -> None:
        memo = _read_in_request.get()
        for key in keys if memo else ():
            memo.pop(key, None)  # read afresh by the rest of this request
        try:
            cache.set_many({key: _new_generation() for key in keys}, timeout=None)
        except Exception:
            logger.warning("cache unavailable: generations %s not bumped", keys, exc_info=True)

    run()
    if transaction.get_connection().in_atomic_block:  # outside one, nothing is left to commit
        transaction.on_commit(run)


def follow_changes(model_labels, receiver, uid: str) -> None:
    """Call `receiver` (a signal receiver: sender, **kwargs) after every save and delete of
    these models ("app_label.Model"), so it can bump the generations their answers live under."""
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save

    for label in model_labels:
        model = apps.get_model(label)
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(receiver, sender=model, weak=False,
                           dispatch_uid=f"{uid}.{name}.{label}")


def cached_under(generation_keys: list[str], name: str, compute, seconds: int, *,
                 also: tuple[str, ...] = ()):
    """compute(), kept under `name` with the generations of `generation_keys` and today's date
    it was worked out under, and used only while they are still current (so it is worked out
    again once any of them moves); for `seconds` at most; 0 or less: not cached. When the cache
    is down the answer is worked out from the database.

    The generations and the entry come in one cache round trip. ``also``: names of other
    entries this request will want next (their own `cached_under` calls then ask nothing)."""
    if seconds <= 0:
        return compute()
    key = f"portal:{name}"
    try:
        current, entries = _generations_and_entries(
            generation_keys, [key, *(f"portal:{other}" for other in also)])
    except Exception:
        logger.warning("cache unavailable for %s", name, exc_info=True)
        return compute()
    stamp = (*current, timezone.localdate().isoformat())
    entry = entries[key]
    if entry is not _ABSENT and entry[0] == stamp:
        return entry[1]
    value = compute()
    memo = _read_in_request.get()
    if memo is not None:
        memo[key] = (stamp, value)
    try:
        cache.set(key, (stamp, value), seconds)
    except Exception:
        logger.warning("cache unavailable for %s", name, exc_info=True)
    return value
