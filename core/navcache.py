"""What each person sees on every page, kept in Django's cache (Redis in production).

Two parts of a page depend only on the person and on data that changes far less often than
people move between pages: the **navigation** with its badges (unread notifications, approvals
and cases waiting, overdue reviews: four to nine queries) and the panels of the **home page**
("what needs my attention": policies waiting, reports, approvals, notifications, reviews: five
to ten queries). Both are cached per person under a key that changes whenever something they
depend on may have changed:

- a **trust-wide generation**, bumped when a model listed in any app's `hooks.NAV_MODELS` is
  saved or deleted (cases, approval requests, delegations, people, academies, policies and
  their versions and addenda) and by `bump()` after bulk updates that send no signal;
- a **per-person generation**, bumped by `bump_people(ids)` when only those people's view
  changes (their notifications arrive or are read, they acknowledge a policy);
- today's date (overdue flags, reviews and delegations by date).

The same keys serve a few other per-person answers (`cached_for_person`: the people list, whether
a privileged person has an authenticator) and, with the trust-wide generation alone, small
answers everyone shares (`trust_snapshot`: who is on a case team, the pending approval
requests, who manages someone, the versions in force), which let most people's pages skip
questions that concern only a few.

Entries also expire after `NAV_CACHE_SECONDS` (default 60) as a safety net (and for the few
things that turn with the clock within a day, such as an approval falling overdue). If the
cache is unreachable, everything is simply worked out from the database.
"""


from django.conf import settings

from core.caching import bump_generations, cached_under

TRUST_KEY = "portal:nav:generation"


def person_key(person_id: int) -> str:
    """The generation key of one person's cached view (see `bump_people`)."""
    return f"portal:nav:person:{person_id}"


def _seconds() -> int:
    return int(getattr(settings, "NAV_CACHE_SECONDS", 60))


def _cached(generation_keys: list[str], name: str, compute, also=()):
    return cached_under(generation_keys, name, compute, _seconds(), also=also)


def _person_part(person_id: int, part: str) -> str:
    return f"person:{part}:{person_id}"


def _person_generations(person_id: int) -> list[str]:
    """What every part of a person's view is cached under."""
    return [TRUST_KEY, person_key(person_id)]


def cached_for_person(person_id: int, part: str, compute):
    """compute() -> this part of the person's view ("nav", "home"), cached while nothing it
    depends on changed. The navigation, which nearly every page shows, is fetched with any
    other part."""
    also = () if part == "nav" else (_person_part(person_id, "nav"),)
    return _cached(_person_generations(person_id), _person_part(person_id, part), compute,
                   also)


def navigation_keys(person_id: int) -> dict:
    """What a page's other cache read can bring along for this person's navigation
    (`core.caching.get_many`'s keyword arguments)."""
    return {"generation_keys": _person_generations(person_id),
            "names": [_person_part(person_id, "nav")]}


def bump() -> None:
    """Something that may change anyone's navigation or home page changed."""
    bump_generations([TRUST_KEY])


def bump_people(person_ids) -> None:
    """Something that changes only these people's navigation or home page changed."""
    bump_generations([person_key(int(pk)) for pk in person_ids if pk is not None])


#: Saves that touch only these fields change nobody's navigation (a sign-in records
#: last_login, and the authenticator it used last_used_at).
IGNORED_FIELDS = frozenset({"last_login", "last_used_at"})


def on_model_change(sender, update_fields=None, **kwargs) -> None:
    if update_fields and set(update_fields) <= IGNORED_FIELDS:
        return
    bump()


def trust_snapshot(name: str, compute):
    """compute() -> a small trust-wide answer shared by everyone (plain data: who is on a case
    team, which approval requests are pending…), cached under the trust-wide generation and
    today's date, so one entry serves every person's navigation and home page. Pages use it
    to skip per-person queries for the many people it shows have nothing waiting."""
    return _cached([TRUST_KEY], f"snapshot:{name}", compute)
