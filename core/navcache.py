"""What each person sees on every page, kept in Django's cache (Redis in production).

Two parts of a page depend only on the person and on data that changes far less often than
people move between pages: the **navigation** with its badges (unread notifications, approvals
and cases waiting, overdue reviews: four to nine queries) and the panels of the **home page**
("what needs my attention": policies waiting, reports, approvals, notifications, reviews: five
to ten queries). Both are cached per person under a key that changes whenever something they
depend on may have changed:

- the namespace ``nav`` (`core.caching`), bumped when a model listed in any app's
  `hooks.NAV_MODELS` is saved or deleted (cases, approval requests, delegations, people,
  academies, policies and their versions and addenda) and by `bump()` after bulk updates that
  send no signal;
- the person's namespace ``nav:person:<id>``, bumped by `bump_people(ids)` when only those
  people's view changes (their notifications arrive or are read, they acknowledge a policy);
- today's date (overdue flags, reviews and delegations by date).

The same namespaces serve a few other per-person answers (`cached_for_person`: the people list,
whether a privileged person has an authenticator) and, with ``nav`` alone, small answers
everyone shares (`trust_snapshot`: who is on a case team, the pending approval requests, who
manages someone, the versions in force), which let most people's pages skip questions that
concern only a few.

Entries also expire after `NAV_CACHE_SECONDS` (default 60) as a safety net (and for the few
things that turn with the clock within a day, such as an approval falling overdue). If the
cache is unreachable, everything is simply worked out from the database.
"""


from django.conf import settings

from core.caching import bump as bump_namespaces
from core.caching import cached

#: The namespace of everything on anyone's navigation or home page (`core.caching`).
TRUST = "nav"


def person_namespace(person_id: int) -> str:
    """The namespace of one person's own navigation and home page (see `bump_people`)."""
    return f"nav:person:{person_id}"


def _seconds() -> int:
    return int(getattr(settings, "NAV_CACHE_SECONDS", 60))


def cached_for_person(person_id: int, part: str, compute):
    """compute() -> this part of the person's view ("nav", "home", …), cached while nothing
    it depends on changed."""
    return cached([TRUST, person_namespace(person_id)], f"person:{part}:{person_id}", compute,
                  _seconds())


def bump() -> None:
    """Something that may change anyone's navigation or home page changed."""
    bump_namespaces(TRUST)


def bump_people(person_ids) -> None:
    """Something that changes only these people's navigation or home page changed."""
    bump_namespaces(*(person_namespace(int(pk)) for pk in person_ids if pk is not None))


#: Saves that touch only these fields change nobody's navigation (a sign-in records
#: last_login, and the authenticator it used last_used_at).
IGNORED_FIELDS = frozenset({"last_login", "last_used_at"})


def namespaces_changed_by(instance, update_fields) -> list[str]:
    """What a save or delete of a model in any app's `hooks.NAV_MODELS` makes out of date."""
    if update_fields and set(update_fields) <= IGNORED_FIELDS:
        return []
    return [TRUST]


def trust_snapshot(name: str, compute):
    """compute() -> a small trust-wide answer shared by everyone (plain data: who is on a case
    team, which approval requests are pending…), one entry for every person's navigation and
    home page. Pages use it to skip per-person queries for the many people it shows have
    nothing waiting."""
    return cached([TRUST], f"snapshot:{name}", compute, _seconds())
