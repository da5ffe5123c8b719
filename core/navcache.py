"""The navigation of each person, kept in Django's cache (Redis in production) between pages.

Every page shows the navigation with its badges (unread notifications, approvals and cases
waiting, overdue reviews). Working that out costs four to nine queries; people move from page
to page far more often than any of it changes. So the items are cached per person under a key
that changes whenever something they depend on may have changed:

- a **trust-wide generation**, bumped when a model listed in any app's `hooks.NAV_MODELS` is
  saved or deleted (cases, approval requests, delegations, people, academies, policies) and by
  `bump()` after bulk updates that send no signal;
- a **per-person generation**, bumped by `bump_people(ids)` when only those people's badges
  change (their notifications arrive or are read);
- today's date (overdue reviews, delegations by date).

Entries also expire after `NAV_CACHE_SECONDS` (default 60) as a safety net. If the cache is
unreachable the navigation is simply worked out from the database.
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from core.caching import read_through

log = logging.getLogger(__name__)

TRUST_KEY = "portal:nav:generation"


def _person_key(person_id: int) -> str:
    return f"portal:nav:person:{person_id}"


def _seconds() -> int:
    return int(getattr(settings, "NAV_CACHE_SECONDS", 60))


def _new_generation() -> int:
    # Unique even after eviction, so an old entry can never match a recreated generation.
    return time.time_ns()


def cached_items(person_id: int, compute):
    """compute() -> the navigation items, cached for this person while nothing changed."""
    if _seconds() <= 0:
        return compute()
    try:
        generations = cache.get_many([TRUST_KEY, _person_key(person_id)])
        missing = {k: _new_generation()
                   for k in (TRUST_KEY, _person_key(person_id)) if k not in generations}
        for key, value in missing.items():
            if not cache.add(key, value, timeout=None):
                value = cache.get(key, value)
            generations[key] = value
        key = (f"portal:nav:items:{person_id}:{generations[TRUST_KEY]}:"
               f"{generations[_person_key(person_id)]}:{timezone.localdate().isoformat()}")
    except Exception:  # the cache is down: the database still answers
        log.warning("navigation cache unavailable", exc_info=True)
        return compute()
    return read_through(key, compute, _seconds())


def _incr(key: str) -> None:
    try:
        try:
            cache.incr(key)
        except ValueError:  # not there (yet, or evicted): any new value is a new generation
            cache.set(key, _new_generation(), timeout=None)
    except Exception:
        log.warning("navigation cache unavailable: %s not bumped", key, exc_info=True)


def _now_and_after_commit(bump) -> None:
    # Now, so this request's own next page sees the change; and again after commit, so a page
    # worked out by someone else in between (from the data before the commit) is not kept.
    bump()
    transaction.on_commit(bump)


def bump() -> None:
    """Something that may change anyone's navigation changed."""
    _now_and_after_commit(lambda: _incr(TRUST_KEY))


def bump_people(person_ids) -> None:
    """Something that changes only these people's navigation changed."""
    ids = sorted({int(pk) for pk in person_ids if pk is not None})
    if not ids:
        return

    def run():
        for pk in ids:
            _incr(_person_key(pk))

    _now_and_after_commit(run)


#: Saves that touch only these fields change nobody's navigation (a sign-in records last_login).
IGNORED_FIELDS = frozenset({"last_login"})


def on_model_change(sender, update_fields=None, **kwargs) -> None:
    if update_fields and set(update_fields) <= IGNORED_FIELDS:
        return
    bump()
