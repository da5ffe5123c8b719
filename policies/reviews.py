"""Review cycle writes: a completed review sets the next due date (every two years for the
Social Media Policy), the review recorded when a version is published, and policy settings."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.permissions import can
from audit.services import audit_log
from policies.common import PolicyError, TransitionNotAllowed, _json_safe, add_months
from policies.models import Policy, PolicyReview, PolicyVersion


def _cover_date(cover: dict, key: str) -> datetime.date | None:
    value = (cover or {}).get(key)
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return None


def review_on_publication(*, version: PolicyVersion, actor) -> PolicyReview | None:
    """The review board moves when a version is published, never before: the cover sheet's
    "last reviewed" becomes a review record (if not already recorded) and its "next review
    due" the policy's due date. A draft's cover sheet only proposes them."""
    cover = version.cover or {}
    last, next_due = _cover_date(cover, "last_reviewed"), _cover_date(cover, "next_review_due")
    if last is None and next_due is None:
        return None
    policy = Policy.objects.select_for_update().get(pk=version.policy_id)
    before = policy.next_review_due
    review = None
    if last is not None and not policy.reviews.filter(reviewed_on=last).exists():
        material = version.change_kind == PolicyVersion.ChangeKind.MATERIAL
        review = PolicyReview.objects.create(
            policy=policy, reviewed_on=last,
            outcome=PolicyReview.Outcome.NEW_VERSION if material
            else PolicyReview.Outcome.MINOR_UPDATE,
            reviewer_name=cover.get("ceo_approval_by") or "As recorded on the cover sheet",
            unions_consulted=cover.get("consultation_body") or "",
            notes=f"Recorded from the cover sheet when version {version.label} was published.",
            version=version, recorded_by=actor,
        )
    latest = policy.reviews.order_by("-reviewed_on", "-id").first()
    # The cover's due date belongs to the cover's review; a later review sets its own.
    use_due = next_due if next_due and (latest is None or latest.reviewed_on == last
                                        or last is None) else None
    _refresh_review_dates(policy, next_due=use_due)
    if review is not None or before != policy.next_review_due:
        audit_log(
            action="policies.review_recorded", actor=actor, obj=policy,
            summary=f"Published {policy.title} {version.label}: reviewed "
            f"{last:%B %Y}" if last else f"Published {policy.title} {version.label}",
            changes={"reviewed_on": last.isoformat() if last else None,
                     "next_review_due": [before.isoformat() if before else None,
                                         policy.next_review_due.isoformat()
                                         if policy.next_review_due else None]},
        )
    return review


def _refresh_review_dates(policy: Policy, *, next_due: datetime.date | None = None) -> None:
    latest = policy.reviews.order_by("-reviewed_on", "-id").first()
    if latest is not None:
        policy.last_reviewed_on = latest.reviewed_on
        policy.next_review_due = next_due or add_months(
            latest.reviewed_on, policy.review_interval_months
        )
    elif next_due is not None:
        policy.next_review_due = next_due
    policy.save(update_fields=["last_reviewed_on", "next_review_due"])



SETTINGS_FIELDS = (
    "summary", "owner_role", "review_interval_months", "acknowledgement_due_days",
    "requires_acknowledgement", "audience_categories", "audience_roles",
)


def policy_update_settings(*, policy: Policy, actor, request=None, **values) -> Policy:
    """Change a policy's owner, review interval and audience; the next due date follows."""
    if not can(actor, "policies.manage"):
        raise TransitionNotAllowed("only HR, the CEO or an administrator may change a policy")
    unknown = set(values) - set(SETTINGS_FIELDS) - {"audience_academies"}
    if unknown:
        raise PolicyError(f"unknown settings: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        policy = Policy.objects.select_for_update().get(pk=policy.pk)
        changes: dict[str, list] = {}
        for field in SETTINGS_FIELDS:
            if field in values and values[field] != getattr(policy, field):
                changes[field] = [getattr(policy, field), values[field]]
                setattr(policy, field, values[field])
        policy.full_clean(exclude=["document", "slug"])
        policy.save()
        if "audience_academies" in values:
            before = sorted(policy.audience_academies.values_list("code", flat=True))
            policy.audience_academies.set(values["audience_academies"])
            after = sorted(a.code for a in values["audience_academies"])
            if before != after:
                changes["audience_academies"] = [before, after]
        if "review_interval_months" in changes and policy.reviews.exists():
            _refresh_review_dates(policy)
            changes["next_review_due"] = [None, policy.next_review_due.isoformat()]
        if changes:
            audit_log(
                action="policies.settings_changed", actor=actor, obj=policy, request=request,
                summary=f"Changed the settings of {policy.title}: {', '.join(changes)}",
                changes=_json_safe(changes),
            )
    return policy


def policy_review_record(
    *, policy: Policy, reviewed_on: datetime.date, outcome: str, actor, reviewer=None,
    reviewer_name: str = "", unions_consulted: str = "", notes: str = "",
    version: PolicyVersion | None = None, request=None,
) -> PolicyReview:
    """Record a completed review; the next review falls due one interval after the latest."""
    if not can(actor, "policies.manage"):
        raise TransitionNotAllowed("only HR, the CEO or an administrator may record a review")
    if outcome not in PolicyReview.Outcome.values:
        raise PolicyError("choose the outcome of the review")
    if reviewed_on > timezone.localdate():
        raise PolicyError("the review date cannot be in the future")
    with transaction.atomic():
        policy = Policy.objects.select_for_update().get(pk=policy.pk)
        review = PolicyReview.objects.create(
            policy=policy, reviewed_on=reviewed_on, outcome=outcome, reviewer=reviewer,
            reviewer_name=reviewer_name or (reviewer.full_name if reviewer else ""),
            unions_consulted=unions_consulted, notes=notes, recorded_by=actor,
            version=version or policy.current_version(),
        )
        before = policy.next_review_due
        _refresh_review_dates(policy)
        audit_log(
            action="policies.review_recorded", actor=actor, obj=policy, request=request,
            summary=f"Recorded the review of {policy.title} on {reviewed_on:%d/%m/%Y}: "
            f"{review.get_outcome_display().lower()}",
            changes={"reviewed_on": reviewed_on.isoformat(), "outcome": outcome,
                     "next_review_due": [before.isoformat() if before else None,
                                         policy.next_review_due.isoformat()]},
        )
    return review
