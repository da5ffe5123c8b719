"""The compliance dashboards' figures and rows, kept in Django's cache (Redis in production).

A dashboard adds up hundreds or thousands of acknowledgement requests; it is opened far more
often than its figures change. Each answer is cached under the generations of what it
depends on, so it is worked out again as soon as anything in it changes:

- the trust-wide generation of `core/navcache.py` (people, academies, policy versions, new
  acknowledgement requests);
- the acknowledgements of its scope: one generation per academy, one for the whole trust,
  both bumped by every acknowledgement recorded (`acknowledged`);
- today's date (what is overdue).

Entries also expire after `COMPLIANCE_CACHE_SECONDS` (default 60; 0 switches the cache off).
When the cache is down, the dashboard is worked out from the database.
"""

import hashlib

from django.conf import settings

from core import navcache
from core.caching import bump_generations, cached_under

WHOLE_TRUST_KEY = "portal:compliance:all"
#: The shape of a cached dashboard: changed whenever it changes, so processes of the old and
#: the new release (during a deploy, on the same Redis) never read each other's entries.
FORMAT = "v2"


def _academy_key(academy_id: int | None) -> str:
    return f"portal:compliance:academy:{academy_id or 'none'}"


def acknowledged(person) -> None:
    """This person acknowledged a policy: their academy's and the whole trust's figures
    changed, and so did their own home page (`core.navcache`), all in one cache round trip."""
    bump_generations([WHOLE_TRUST_KEY, _academy_key(person.academy_id),
                      navcache.person_key(person.pk)])


def _seconds() -> int:
    return int(getattr(settings, "COMPLIANCE_CACHE_SECONDS", 60))


def versions(compute):
    """compute() -> the policy versions the dashboards offer, cached while no version, policy
    or person changed (the trust-wide generation)."""
    return cached_under([navcache.TRUST_KEY], f"compliance:versions:{FORMAT}", compute,
                        _seconds())


def cached(academy_id: int | None, params: tuple, compute):
    """compute() -> a dashboard's data for one academy (None: several academies), cached while
    nothing it depends on changed. `params`: everything else the answer depends on."""
    scope = _academy_key(academy_id) if academy_id is not None else WHOLE_TRUST_KEY
    digest = hashlib.sha256(repr((academy_id, params)).encode()).hexdigest()
    return cached_under([navcache.TRUST_KEY, scope], f"compliance:dashboard:{FORMAT}:{digest}",
                        compute, _seconds())
