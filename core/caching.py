"""The portal's one cache concept: answers kept under **namespaces**, each with a version.

A namespace names what a group of answers depends on: ``nav`` (anything on anyone's
navigation or home page), ``nav:person:7`` (one person's), ``compliance`` and
``compliance:academy:3`` (acknowledgement figures), ``text`` (what readers of published policy
text are shown). Its version is a number kept in the cache.

- `cached(namespaces, name, compute, seconds)` keeps ``compute()`` with the versions of its
  namespaces (and today's date) and serves it only while they are all still current. One cache
  round trip reads the versions and the entry together.
- `bump(*namespaces)`: everything cached under them is out of date. Writes call it through
  `bump_on_change` (signals of the models a namespace depends on) or, after a bulk update that
  sends no signal, directly. It runs at once and again after the transaction commits: the
  first so the writer's own next page (and a test inside a transaction) sees the change, the
  second so an answer another request worked out between the write and the commit is dropped.

The cache is a shortcut only: when it cannot be reached, every answer is worked out from the
database. docs/caching.md lists which write bumps which namespace.
"""

import logging
import time

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

#: Changed whenever the shape of an entry changes, so processes of the old and the new
#: release (during a deploy, on the same Redis) never read each other's entries.
PREFIX = "portal:c2:"


def _version_key(namespace: str) -> str:
    return f"{PREFIX}ns:{namespace}"


def _new_version() -> int:
    # Unique even after the cache evicted the old one, so an old entry never matches again.
    return time.time_ns()


def bump(*namespaces: str) -> None:
    """Everything cached under these namespaces is out of date (now, and after the commit)."""
    keys = sorted({_version_key(ns) for ns in namespaces})
    if not keys:
        return

    def run() -> None:
        try:
            cache.set_many({key: _new_version() for key in keys}, timeout=None)
        except Exception:
            logger.warning("cache unavailable: %s not bumped", keys, exc_info=True)

    run()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(run)


def bump_on_change(model_labels, namespaces_of, uid: str) -> None:
    """After every save and delete of these models ("app_label.Model"), bump
    ``namespaces_of(instance, update_fields)`` (a list; empty for a change nobody sees)."""
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save

    def receiver(sender, instance, update_fields=None, **kwargs) -> None:
        bump(*namespaces_of(instance, update_fields))

    for label in model_labels:
        model = apps.get_model(label)
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(receiver, sender=model, weak=False,
                           dispatch_uid=f"{uid}.{name}.{label}")


def cached(namespaces: list[str], name: str, compute, seconds: int):
    """compute(), kept under `name` while the namespaces' versions and today's date are those
    it was worked out under; for `seconds` at most (0 or less: not cached)."""
    [value] = cached_many([(name, compute, namespaces)], seconds)
    return value


def cached_many(items: list[tuple[str, object, list[str]]], seconds: int) -> list:
    """[(name, compute, namespaces)] -> their values, in one cache round trip for all of them
    (a page that shows several cached answers). `compute()` must not return None."""
    if seconds <= 0:
        return [compute() for _, compute, _ in items]
    namespaces = sorted({ns for _, _, item_namespaces in items for ns in item_namespaces})
    version_keys = [_version_key(ns) for ns in namespaces]
    entry_keys = [f"{PREFIX}{name}" for name, _, _ in items]
    try:
        found = cache.get_many([*version_keys, *entry_keys])
        fresh = {key: _new_version() for key in version_keys if key not in found}
        for key, value in fresh.items():  # first use (or evicted): another process may race
            found[key] = value if cache.add(key, value, timeout=None) else cache.get(key, value)
    except Exception:
        logger.warning("cache unavailable", exc_info=True)
        return [compute() for _, compute, _ in items]
    today = timezone.localdate().isoformat()
    values, missing = [], {}
    for key, (_, compute, item_namespaces) in zip(entry_keys, items, strict=True):
        stamp = (*(found[_version_key(ns)] for ns in item_namespaces), today)
        entry = found.get(key)
        if entry is not None and entry[0] == stamp:
            values.append(entry[1])
            continue
        value = compute()
        missing[key] = (stamp, value)
        values.append(value)
    if missing:
        try:
            cache.set_many(missing, seconds)
        except Exception:
            logger.warning("cache unavailable", exc_info=True)
    return values
