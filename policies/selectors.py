"""Reads shared by the policy pages and by other apps (acknowledgements, breaches, audit packs).

Stable API for colleagues (documented in docs/policies.md):
``policies_for_user``, ``policy_applies_to``, ``audience_for``, ``current_version``,
``version_redline``, ``version_text_for``, ``version_content_hash_for``, ``clause_url``,
``get_policy_for_user``, ``get_version_for_user``.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import NamedTuple

from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.models import Academy, User
from accounts.permissions import can
from policies.models import AcademyAddendum, Clause, Policy, PolicyVersion
from policies.redline import ClauseDiff, redline

S = PolicyVersion.Status

#: Permissions that let a person see versions still on their way to publication.
BACKSTAGE_PERMISSIONS = (
    "policies.manage", "policies.approve", "policies.ratify", "policies.addendum_draft",
    "policies.review_board",
)


def is_backstage(user) -> bool:
    return any(can(user, permission) for permission in BACKSTAGE_PERMISSIONS)


# --------------------------------------------------------------------------- audiences


def policy_applies_to(policy: Policy, user, academy_ids: set[int] | None = None) -> bool:
    """Whether the policy's audience (academies, categories, roles) includes this person.

    ``academy_ids``: the pks of the policy's audience academies, if already read."""
    if academy_ids is None:
        academy_ids = {a.pk for a in policy.audience_academies.all()}
    if academy_ids and user.academy_id not in academy_ids:
        return False
    if policy.audience_categories and user.category not in policy.audience_categories:
        return False
    return not (policy.audience_roles and user.role not in policy.audience_roles)


def audience_academy_ids(policy: Policy) -> set[int]:
    """The pks of the policy's audience academies (empty: every academy), from the link table
    alone."""
    return set(Policy.audience_academies.through.objects.filter(policy_id=policy.pk)
               .values_list("academy_id", flat=True))


def audience_for(policy: Policy, today: datetime.date | None = None) -> QuerySet[User]:
    """People who must acknowledge this policy today: active, started (no start date, or on or
    before today), not yet left, and in its audience. The one rule for acknowledgement requests,
    compliance figures and the policy's pages."""
    today = today or timezone.localdate()
    people = User.objects.filter(is_active=True).filter(
        Q(leaving_date__isnull=True) | Q(leaving_date__gt=today),
        Q(start_date__isnull=True) | Q(start_date__lte=today),
    )
    academy_ids = list(policy.audience_academies.values_list("pk", flat=True))
    if academy_ids:
        people = people.filter(academy_id__in=academy_ids)
    if policy.audience_categories:
        people = people.filter(category__in=policy.audience_categories)
    if policy.audience_roles:
        people = people.filter(role__in=policy.audience_roles)
    return people


def policies_applying_to(user) -> list[Policy]:
    """``policies_for_user`` as a list, in one pass: the policies themselves, by title."""
    if not getattr(user, "is_authenticated", False):
        return []
    # The audience check needs the academies' pks only, in no order.
    readable = _readable().order_by("title").prefetch_related(
        Prefetch("audience_academies", queryset=Academy.objects.only("pk").order_by()))
    return [policy for policy in readable if policy_applies_to(policy, user)]


def policies_for_user(user) -> QuerySet[Policy]:
    """The policies that apply to this person and can be read: a published version or a file."""
    if not getattr(user, "is_authenticated", False):
        return Policy.objects.none()
    ids = [policy.pk for policy in policies_applying_to(user)]
    return Policy.objects.filter(pk__in=ids).order_by("title")


def policies_visible_to(user) -> QuerySet[Policy]:
    """The policy list: everything for those who run the library, else what applies to them."""
    if is_backstage(user):
        return Policy.objects.all().order_by("title")
    return policies_for_user(user)


# --------------------------------------------------------------------------- versions


def current_version(policy: Policy) -> PolicyVersion | None:
    return policy.versions.filter(status=S.PUBLISHED).first()


def versions_visible_to(user, policy: Policy) -> QuerySet[PolicyVersion]:
    versions = policy.versions.all().order_by("-created_at")
    if is_backstage(user):
        return versions
    return versions.filter(published_at__isnull=False)


def _readable() -> QuerySet[Policy]:
    """Policies that can be read: a published version or an uploaded document.

    (A join and DISTINCT: cheaper to build than an EXISTS subquery.)
    """
    return Policy.objects.filter(Q(versions__status=S.PUBLISHED) | ~Q(document="")).distinct()


def get_policy_for_user(user, slug: str) -> Policy:
    """The policy, or Http404 for anyone it does not concern.

    The same rule as ``policies_for_user`` (readable, and its audience includes this person),
    asked of this one policy only.
    """
    policy = Policy.objects.filter(slug=slug).first()
    if policy is None:
        raise Http404("No such policy.")
    if is_backstage(user):
        return policy
    if (getattr(user, "is_authenticated", False)
            and (policy.document or policy.versions.filter(status=S.PUBLISHED).exists())
            and policy_applies_to(policy, user)):
        return policy
    raise Http404("No such policy.")


def get_version_for_user(user, slug: str, label: str) -> PolicyVersion:
    policy = get_policy_for_user(user, slug)
    version = versions_visible_to(user, policy).filter(label=label).first()
    if version is None:
        raise Http404("No such version.")
    return version


def get_version_for_reading(user, slug: str, label: str) -> PolicyVersion:
    """``get_version_for_user`` for the reading page: the version and its policy in one query.

    The same rules (``get_policy_for_user``, then ``versions_visible_to``). Adds
    ``approved_by_name`` and ``previous_label``; leaves out the source text. The reader's
    academy's addendum is the page's to look up (``policies.textcache.addendum_entry``).
    """
    # One row: no need for the model's ordering (its joins cost more than the row).
    version = (PolicyVersion.objects.select_related("policy").defer("source_text")
               .filter(policy__slug=slug, label=label)
               .annotate(approved_by_name=F("approved_by__full_name"),
                         previous_label=F("previous__label"))
               .order_by().first())
    if version is None:
        raise Http404("No such version.")
    if is_backstage(user):
        return version
    policy = version.policy
    # Readable: a published version (this one, most often) or a document.
    readable = (version.status == S.PUBLISHED or bool(policy.document)
                or policy.versions.filter(status=S.PUBLISHED).exists())
    if not (getattr(user, "is_authenticated", False) and readable
            and policy_applies_to(policy, user, audience_academy_ids(policy))):
        raise Http404("No such policy.")
    if version.published_at is None:  # versions_visible_to: only what has been published
        raise Http404("No such version.")
    return version


def version_redline(old_version: PolicyVersion, new_version: PolicyVersion) -> list[ClauseDiff]:
    """Clause-by-clause comparison with word marks (see policies.redline.ClauseDiff)."""
    return redline(
        old_version.clauses.order_by("order").values_list("number", "text"),
        new_version.clauses.order_by("order").values_list("number", "text"),
    )


class VersionText(NamedTuple):
    clauses: list[Clause]
    addendum: AcademyAddendum | None


def approved_addendum(version: PolicyVersion, academy: Academy | int | None
                      ) -> AcademyAddendum | None:
    """The academy's approved addendum to this version (``academy``: an Academy or its pk).

    One query, with ``addendum.academy`` loaded (callers show the academy's name)."""
    if academy is None:
        return None
    return approved_addenda(version.pk, getattr(academy, "pk", academy)).select_related(
        "academy").first()


def addendum_approver_name(addendum: AcademyAddendum) -> str | None:
    """Who approved the addendum, by their name now (None if nobody is recorded)."""
    if addendum.approved_by_id is None:
        return None
    return (User.objects.filter(pk=addendum.approved_by_id)
            .values_list("full_name", flat=True).first())


def approved_addenda(version_pk: int, academy_id: int) -> QuerySet[AcademyAddendum]:
    """The rule for "that academy's approved addendum to that version" (at most one row)."""
    return AcademyAddendum.objects.filter(version_id=version_pk, academy_id=academy_id,
                                          status=AcademyAddendum.Status.APPROVED)


def version_text_for(version: PolicyVersion, academy: Academy | None) -> VersionText:
    """What that academy's staff read: the clauses in order, and its approved addendum if any."""
    return VersionText(list(version.clauses.order_by("order")), approved_addendum(version,
                                                                                   academy))


def version_content_hash_for(version: PolicyVersion, academy: Academy | None,
                             addendum: AcademyAddendum | None = ...) -> str:
    """Hash of what that academy's staff acknowledge: the version hash, plus the addendum's.

    Without an approved addendum this is exactly ``version.content_hash``. A caller that has
    already looked up ``approved_addendum(version, academy)`` may pass it (even None) to save
    the query.
    """
    if addendum is ...:
        addendum = approved_addendum(version, academy)
    if addendum is None:
        return version.content_hash
    return hashlib.sha256(
        f"{version.content_hash}\x1d{addendum.content_hash}".encode()
    ).hexdigest()


def clause_url(clause: Clause) -> str:
    """Permalink: ``/policies/social-media-policy/2023-09/#5.1-f``."""
    version = clause.version
    return reverse("policies:version_read", args=[version.policy.slug, version.label]) + (
        f"#{clause.anchor}"
    )


# --------------------------------------------------------------------------- links & reviews


def mention_links(exclude: Policy | None = None) -> dict[str, str]:
    """Titles of policies that can be read (a published version or a document) -> their URL."""
    links = {}
    readable = _readable()
    if exclude is not None:
        readable = readable.exclude(pk=exclude.pk)
    for title, slug in readable.order_by("title").values_list("title", "slug"):
        links[title] = reverse("policies:policy_detail", args=[slug])
    return links


def review_board(today: datetime.date | None = None) -> dict[str, list[Policy]]:
    """Policies whose review is overdue, due within 30 days, or due within 90 days."""
    today = today or timezone.localdate()
    policies = Policy.objects.filter(next_review_due__isnull=False).order_by("next_review_due")
    board: dict[str, list[Policy]] = {"overdue": [], "due_30": [], "due_90": [], "later": []}
    for policy in policies:
        days = (policy.next_review_due - today).days
        policy.days_until_review = days
        if days < 0:
            board["overdue"].append(policy)
        elif days <= 30:
            board["due_30"].append(policy)
        elif days <= 90:
            board["due_90"].append(policy)
        else:
            board["later"].append(policy)
    return board


def review_state(policy: Policy, today: datetime.date | None = None) -> str:
    """"overdue", "due_30", "due_90", "later" or "" (no date)."""
    if policy.next_review_due is None:
        return ""
    days = (policy.next_review_due - (today or timezone.localdate())).days
    if days < 0:
        return "overdue"
    if days <= 30:
        return "due_30"
    return "due_90" if days <= 90 else "later"


# --------------------------------------------------------------------------- next version


def proposed_review(version: PolicyVersion) -> dict | None:
    """A version in progress proposes review dates (its cover sheet); they take effect on
    publication. None when it proposes nothing or is no longer in progress."""
    if version.status not in PolicyVersion.IN_PROGRESS:
        return None
    cover = version.cover or {}
    dates = {}
    for key in ("last_reviewed", "next_review_due"):
        try:
            dates[key] = datetime.date.fromisoformat(str(cover[key])) if cover.get(key) else None
        except ValueError:
            dates[key] = None
    if not any(dates.values()):
        return None
    return {**dates, "current_due": version.policy.next_review_due}


def question_summary(version: PolicyVersion) -> dict:
    """The version's comprehension questions, and those carried forward that HR must check
    (their clause changed or was removed) with why."""
    from acknowledgements.models import Question

    questions = list(Question.objects.filter(version=version).select_related("clause")
                     .order_by("order", "id"))
    return {"count": len(questions),
            "carried": sum(q.carried_from_id is not None for q in questions),
            "to_check": [q for q in questions if q.review_note or q.clause_id is None]}


_REVIEW_TEXT = ("reviewed every", "review of policy", "review of the policy")


def review_clause(version: PolicyVersion | None) -> Clause | None:
    """The clause of this version that sets its review cycle ("This policy is reviewed every 2
    years ..."): 11.1 in 2023-09, whatever number it has in another version."""
    if version is None:
        return None
    clauses = list(version.clauses.filter(level__lte=1).order_by("order")
                   .only("number", "text", "level", "anchor", "version_id"))
    for clause in clauses:
        if clause.level == 1 and "reviewed every" in clause.text.lower():
            return clause
    for index, clause in enumerate(clauses):  # the first clause of a "Review of policy" section
        if clause.level == 0 and clause.text.lower().strip(" .:") in _REVIEW_TEXT[1:]:
            following = clauses[index + 1] if index + 1 < len(clauses) else None
            return following if following is not None and following.level == 1 else None
    return None
