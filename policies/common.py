"""What the policy library's write modules share: its errors, the clause writer, who looks
after a policy, and small helpers. (``policies.services`` re-exports the public names.)"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable

from django.urls import reverse
from django.utils.text import slugify

from accounts.models import Role, User
from core.errors import Refused
from policies.models import Clause, Policy, PolicyImmutable, PolicyVersion
from policies.parsing import ParsedClause, render_policy_text


class PolicyError(Refused):
    """A domain error with a message for the person who tried; ``line_number`` when known."""


class TransitionNotAllowed(PolicyError):
    """The move is not in the table, or this person's role may not make it."""


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def content_hash_of(pairs: Iterable[tuple[str, str]]) -> str:
    """The same hash as ``PolicyVersion.compute_content_hash`` for (number, text) pairs."""
    digest = hashlib.sha256()
    for number, text in pairs:
        digest.update(number.encode() + b"\x1f" + text.encode() + b"\x1e")
    return digest.hexdigest()


def _json_safe(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    return value


#: First path segments under /policies/ that a policy slug must not take.
RESERVED_SLUGS = {"import", "register", "reviews"}
#: Second path segments a version label must not take.
RESERVED_LABELS = {"compare", "document", "new-draft", "reviews", "settings"}


def _unique_slug(title: str) -> str:
    base = slugify(title)[:90] or "policy"
    if base in RESERVED_SLUGS:
        base = f"{base}-policy"
    slug, n = base, 2
    while Policy.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _unique_label(policy: Policy, base: str) -> str:
    label, n = base, 2
    while PolicyVersion.objects.filter(policy=policy, label=label).exists():
        label, n = f"{base}-{n}", n + 1
    return label


def _write_clauses(version: PolicyVersion, clauses: list[ParsedClause]) -> None:
    """Replace the clauses of a draft with parsed ones and refresh its hash; comprehension
    questions follow their clause (``policies.carry``)."""
    from policies.carry import questions_hold, questions_reattach

    if not version.is_editable:
        raise PolicyImmutable(f"{version} is {status_phrase(version)}.")
    old_pairs = list(version.clauses.order_by("order").values_list("number", "text"))
    held = questions_hold(version)
    version.clauses.all().delete()
    by_number: dict[str, Clause] = {}
    for parsed in clauses:
        clause = Clause(
            version=version,
            number=parsed.number,
            anchor=parsed.anchor,
            heading=parsed.heading[:300],
            text=parsed.text,
            level=parsed.level,
            parent=by_number.get(parsed.parent_number) if parsed.parent_number else None,
            order=parsed.order,
        )
        clause.save()
        by_number[parsed.number] = clause
    version.content_hash = content_hash_of((c.number, c.text) for c in clauses)
    version.source_text = render_policy_text(clauses)
    version.save()
    questions_reattach(version, held, old_pairs, list(by_number.values()))


def lower_first(text: str) -> str:
    """"Approved by the CEO" -> "approved by the CEO": names keep their case."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def status_phrase(version: PolicyVersion) -> str:
    """The version's status inside a sentence: "approved by the CEO", "in consultation (JNC /
    trade unions)", "ratified by the LGB Cluster"."""
    return lower_first(version.get_status_display())


def _people_with_role(role: str) -> list[User]:
    return list(User.objects.current().filter(role=role, is_active=True))


def owner_and_hr(policy: Policy) -> list[User]:
    """Who looks after a policy: the holders of its owner role, and HR."""
    people = {person.pk: person for person in _people_with_role(policy.owner_role)}
    people.update({person.pk: person for person in _people_with_role(Role.HR)})
    return list(people.values())


def version_url(version: PolicyVersion, name: str = "version_record") -> str:
    return reverse(f"policies:{name}", args=[version.policy.slug, version.label])
