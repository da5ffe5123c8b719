"""Read-through use of Django's cache (Redis in production) that never fails a page.

The cache is a shortcut only: when it cannot be reached, the value is worked out as if it
were missing, and the page is served from the database.
"""

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def read_through(key: str, compute, timeout: int | None):
    """The cached value under `key`, or `compute()` (then kept for `timeout` seconds)."""
    try:
        value = cache.get(key)
    except Exception:
        logger.warning("cache unavailable for %s", key, exc_info=True)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, timeout)
        except Exception:
            logger.warning("cache unavailable for %s", key, exc_info=True)
    return value
