"""Every write in approvals. All moves go through `request_transition`, which checks the table.

The table is `approvals.workflow.REQUESTS` (one `core.workflow.Move` per move: from which
statuses, to which, who may make it, for which kinds). `request_transition` does what every move
needs (lock, check the table, the person and the reasons, save, history, audit); each move's own
checks and changes are the before-save handlers below, and what it tells people the after-save
handlers in approvals/notices.py. Who may decide is asked of `approvals.routing.Router`.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.permissions import can
from approvals import notices
from approvals.models import (
    PERIOD_KINDS,
    ApprovalRequest,
    Attachment,
    Delegation,
    Event,
    Kind,
    Outcome,
    Revision,
    Status,
    TwoStepRule,
)
from approvals.routing import Router, possible_deputies
from approvals.selectors import monitorable_by
from approvals.uploads import StoredFile
from approvals.workflow import (
    ASKING_MOVES,
    NEW,
    REQUESTER,
    REQUESTS,
    SYSTEM,
    possible,
)
from audit.services import audit_log
from core import navcache
from core.dates import format_date
from core.errors import Refused
from core.workflow import Move, Step
from notifications.services import notify


class ApprovalError(Refused):
    """A move that is not allowed: shown to the person as a message, never a 500."""


def decision_days() -> int:
    from approvals.conf import setting

    try:
        return max(1, int(setting("APPROVALS_DECISION_DAYS", "5")))
    except ValueError:
        return 5


@dataclass
class Submission:
    """What a request form produced: the revision's text and content, and its files."""

    title: str
    text: str
    content: dict
    columns: dict = field(default_factory=dict)
    new_files: list[StoredFile] = field(default_factory=list)
    kept: list[Attachment] = field(default_factory=list)


# ---------------------------------------------------------------------------- the one move

#: Columns a request's own checks cover (the rest are set by the portal, not typed).
_CLEAN_EXCLUDE = ["requester", "academy", "subject_person", "decided_by", "approved_revision"]


def _clean_and_save(req: ApprovalRequest) -> None:
    req.full_clean(exclude=_CLEAN_EXCLUDE)
    req.save()


def request_transition(req: ApprovalRequest, *, move: str, actor=None, reasons: str = "",
                       data: dict | None = None, request=None,
                       router: Router | None = None) -> Event:
    """Apply one move from the table: check it, run its handlers, save, write history and
    audit. `data` is what the move's own handlers read (a submission, conditions...)."""
    rule = REQUESTS.named(move)
    if rule is None:
        raise ApprovalError(f"Unknown move {move!r}.")
    router = router or Router()
    with transaction.atomic():
        if req.pk:
            locked = ApprovalRequest.objects.select_for_update().get(pk=req.pk)
            for name in ("status", "step", "steps"):
                setattr(req, name, getattr(locked, name))
        source = req.status if req.pk else NEW
        if source not in rule.sources:
            raise ApprovalError(
                f"This request is “{Status(source).label if source else 'new'}”: "
                f"it cannot be {rule.label.split(';')[0]} now."
            )
        if not rule.applies_to(req.kind):
            raise ApprovalError("That is not possible for this kind of request.")
        on_behalf_of = _check_actor(req, rule, actor, router)
        if reasons == "" and rule.reason_required:
            raise ApprovalError(rule.help or "Written reasons are required.")
        step = Step(obj=req, move=rule, actor=actor, source=source, reason=reasons,
                    data={**(data or {}), "router": router}, request=request,
                    now=timezone.now())
        from_step = req.step
        req.status = rule.target
        if req.pk is None:
            _clean_and_save(req)  # a new request exists before its first revision points at it
        REQUESTS.run_before(step)
        _clean_and_save(req)
        step.event = event = Event.objects.create(
            request=req, move=move, from_status=source, to_status=rule.target, step=from_step,
            actor=actor, on_behalf_of=on_behalf_of,
            revision=step.details.get("revision") or req.current_revision(),
            reasons=reasons, conditions=step.details.get("conditions", ""),
        )
        if move not in ASKING_MOVES:
            notices.waiting_done(req)
        REQUESTS.run_after(step)
        summary = rule.label
        if on_behalf_of is not None:
            summary += f" (as deputy for {on_behalf_of.full_name})"
        if reasons:
            summary += f": {reasons[:200]}"
        audit_log(
            action=f"approvals.{move}", actor=actor, obj=req, summary=summary,
            changes={"status": [source, rule.target], "step": [from_step, req.step],
                     "revision": event.revision.number if event.revision else None,
                     "on_behalf_of": on_behalf_of.pk if on_behalf_of else None,
                     "conditions": event.conditions, "hash": req.approved_hash}
            | step.changes,
            request=request,
        )
    return event


def _check_actor(req, rule: Move, actor, router: Router):
    """Return the absent decider a deputy acts for, or None; raise if the actor may not.
    Who decides is Router's to say; this says why someone may not."""
    if SYSTEM in rule.who:
        if actor is not None:
            raise ApprovalError("Only the portal itself makes this move.")
        return None
    if actor is None:
        raise ApprovalError("Someone must make this move.")
    if REQUESTER in rule.who:
        if actor.pk != req.requester_id:
            raise ApprovalError("Only the person who asked can do this.")
        return None
    if actor.pk == req.requester_id:  # Router never lets them; say so plainly
        raise ApprovalError("You cannot decide your own request; someone else must.")
    if rule.name == "revoke":
        acting = router.revoking_for(actor, req)
        if acting is None:
            raise ApprovalError("Only the person who may decide this request can revoke it.")
    else:
        acting = router.acting_for(actor, req)
        if acting is None:
            raise ApprovalError("You are not the person who decides this request at this step.")
    return None if acting.pk == actor.pk else acting


def may_make(req: ApprovalRequest, name: str, actor, router: Router | None = None) -> bool:
    """The table allows move `name` on `req` now and `actor` may make it: what the request page
    offers is asked of the same rules `request_transition` applies."""
    if not possible(req, name):
        return False
    try:
        _check_actor(req, REQUESTS.moves[name], actor, router or Router())
    except ApprovalError:
        return False
    return True


# ---------------------------------------------------------------------------- submitting


def _new_revision(req, *, author, submission: Submission) -> Revision:
    number = (req.revisions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    revision = Revision(request=req, number=number, author=author, text=submission.text,
                        content=submission.content)
    hashes = [f.sha256 for f in submission.new_files] + [a.sha256 for a in submission.kept]
    revision.content_hash = revision.compute_hash(list(dict.fromkeys(hashes)))
    revision.save()
    seen: set[str] = set()
    for item in [*submission.kept, *submission.new_files]:
        if item.sha256 in seen:
            continue
        seen.add(item.sha256)
        Attachment.objects.create(
            revision=revision, original_name=item.original_name, content_type=item.content_type,
            size=item.size, sha256=item.sha256, path=item.path,
        )
    return revision


def _default_due(columns: dict) -> dict:
    return {**columns, "due_at": columns.get("due_at")
            or timezone.now() + datetime.timedelta(days=decision_days())}


def request_submit(*, kind: str, requester, submission: Submission,
                   request=None) -> ApprovalRequest:
    """A new request: the submit move takes it from new to waiting for a decision."""
    if not can(requester, "approvals.request"):
        raise ApprovalError("You may not ask for approvals.")
    if requester.academy_id is None:
        raise ApprovalError("Your record has no academy; ask HR to add it first.")
    if kind == Kind.MONITORING:
        _check_monitoring_request(requester, submission.columns.get("subject_person"))
    req = ApprovalRequest(kind=kind, title=submission.title, requester=requester,
                          academy_id=requester.academy_id, **_default_due(submission.columns))
    request_transition(req, move="submit", actor=requester, data={"submission": submission},
                       request=request)
    return req


@REQUESTS.before_save("submit")
def _submit(step: Step) -> None:
    """Routed (one step or two), someone other than the requester can decide it, and its
    first version is kept."""
    req, router, submission = step.obj, step.data["router"], step.data["submission"]
    req.steps = router.steps_for(req)
    if not router.deciders_for(req):
        raise ApprovalError(
            "There is nobody other than you who can decide this request. "
            "Ask HR to check who your line manager and Principal are."
        )
    step.details["revision"] = _new_revision(req, author=step.actor, submission=submission)


def _check_monitoring_request(requester, subject) -> None:
    if not can(requester, "approvals.request_monitoring"):
        raise ApprovalError("Only a line manager or Principal can ask for monitoring.")
    if subject is None or not monitorable_by(requester).filter(pk=subject.pk).exists():
        raise ApprovalError("You can ask for monitoring only of staff you manage.")


def request_resubmit(*, req: ApprovalRequest, actor, submission: Submission,
                     request=None) -> Revision:
    """A new version after changes were asked for, or an edit of an approved post (reopens)."""
    if actor.pk != req.requester_id:
        raise ApprovalError("Only the person who asked can change the request.")
    if req.kind == Kind.MONITORING:
        _check_monitoring_request(actor, submission.columns.get("subject_person"))
    move = "reopen" if req.status == Status.APPROVED else "resubmit"
    event = request_transition(req, move=move, actor=actor, data={"submission": submission},
                               request=request)
    return event.revision


@REQUESTS.before_save("resubmit", "reopen")
def _resubmit(step: Step) -> None:
    """A new version, routed afresh: back to the first step, the earlier decision cleared."""
    req, router, submission = step.obj, step.data["router"], step.data["submission"]
    step.details["revision"] = _new_revision(req, author=step.actor, submission=submission)
    for name, value in _default_due(submission.columns).items():
        setattr(req, name, value)
    req.title, req.step = submission.title, 1
    req.steps = router.steps_for(req)
    _clear_decision(req)
    req.conditions = req.approved_response = ""


def _clear_decision(req: ApprovalRequest) -> None:
    req.decided_by = req.decided_at = req.approved_revision = None
    req.approved_hash = ""


# ---------------------------------------------------------------------------- deciding


def request_decide(*, req: ApprovalRequest, actor, outcome: str, reasons: str,
                   conditions: str = "", response: str = "", request=None) -> Event:
    reasons, conditions, response = reasons.strip(), conditions.strip(), response.strip()
    if not reasons:
        raise ApprovalError("Written reasons are required for every decision.")
    if outcome == Outcome.CONDITIONS and not conditions:
        raise ApprovalError("Write the conditions you are approving with.")
    approving = outcome in (Outcome.APPROVE, Outcome.CONDITIONS)
    if req.kind == Kind.MEDIA and approving and not response:
        raise ApprovalError("Write the approved response before approving.")
    if approving and req.step < req.steps:
        move = "forward"
    elif approving:
        move = "approve_with_conditions" if conditions else "approve"
    elif outcome in (Outcome.CHANGES, Outcome.REFUSE):
        move = outcome
    else:
        raise ApprovalError("Choose a decision.")
    return request_transition(req, move=move, actor=actor, reasons=reasons, request=request,
                              data={"conditions": conditions, "response": response})


@REQUESTS.before_save("forward")
def _forward(step: Step) -> None:
    """The first step approves: the request waits for the second, with any conditions added."""
    req, conditions = step.obj, step.data["conditions"]
    req.step += 1
    if conditions:
        req.conditions = _join(req.conditions, conditions)
    step.details["conditions"] = conditions


@REQUESTS.before_save("approve", "approve_with_conditions")
def _approve(step: Step) -> None:
    """Approved: the current version and its hash are frozen, with the conditions in force."""
    req, conditions = step.obj, step.data["conditions"]
    current = req.current_revision()
    req.decided_by, req.decided_at = step.actor, step.now
    req.approved_revision, req.approved_hash = current, current.content_hash
    req.conditions = _join(req.conditions, conditions)
    req.approved_response = step.data["response"]
    step.details["conditions"] = conditions


@REQUESTS.before_save("ask_changes", "refuse", "revoke")
def _decided_by(step: Step) -> None:
    step.obj.decided_by, step.obj.decided_at = step.actor, step.now


def _join(earlier: str, more: str) -> str:
    return "\n".join(part for part in (earlier.strip(), more.strip()) if part)


def request_withdraw(*, req: ApprovalRequest, actor, reasons: str = "", request=None) -> Event:
    return request_transition(req, move="withdraw", actor=actor, reasons=reasons.strip(),
                              request=request)


def request_revoke(*, req: ApprovalRequest, actor, reasons: str, request=None) -> Event:
    if not reasons.strip():
        raise ApprovalError("Written reasons are required to revoke.")
    return request_transition(req, move="revoke", actor=actor, reasons=reasons.strip(),
                              request=request)


def publication_record(*, req: ApprovalRequest, actor, url: str, published_at,
                       as_approved: bool, differences: str = "", request=None) -> Event:
    data = {"url": url, "published_at": published_at}
    if as_approved:
        return request_transition(req, move="record_publication", actor=actor, data=data,
                                  request=request)
    if not differences.strip():
        raise ApprovalError("Say what was different from the approved post.")
    return request_transition(req, move="published_differently", actor=actor,
                              reasons=differences.strip(), data=data, request=request)


@REQUESTS.before_save("record_publication", "published_differently")
def _published(step: Step) -> None:
    """Where and when it went out; published differently, the approval no longer holds."""
    req = step.obj
    req.published_url, req.published_at = step.data["url"], step.data["published_at"]
    req.published_as_approved = step.move.name == "record_publication"
    if not req.published_as_approved:
        _clear_decision(req)


# ---------------------------------------------------------------------------- time passes


def requests_expire(*, now: datetime.datetime | None = None) -> list[ApprovalRequest]:
    """Posts not decided before their planned time, media enquiries past their deadline."""
    now = now or timezone.now()
    due = ApprovalRequest.objects.open().filter(kind__in=[Kind.POST, Kind.MEDIA], due_at__lte=now)
    done = []
    for req in due.select_related("requester"):
        try:
            request_transition(req, move="expire")
        except ApprovalError:  # decided meanwhile by someone else: nothing to do
            continue
        done.append(req)
    return done


def requests_end(*, today: datetime.date | None = None) -> list[ApprovalRequest]:
    """Exceptions, permissions and monitoring periods whose last day has passed."""
    today = today or timezone.localdate()
    due = ApprovalRequest.objects.filter(status=Status.APPROVED, kind__in=list(PERIOD_KINDS),
                                         valid_until__lt=today)
    done = []
    for req in due.select_related("requester", "subject_person"):
        try:
            request_transition(req, move="end")
        except ApprovalError:
            continue
        done.append(req)
    return done


# ---------------------------------------------------------------------------- delegation


def delegation_create(*, delegator, deputy, starts_on, ends_on, reason: str = "",
                      actor=None, request=None) -> Delegation:
    actor = actor or delegator
    if not can(delegator, "approvals.delegate"):
        raise ApprovalError("Only the CEO or a Principal can name a deputy.")
    if actor.pk != delegator.pk:
        raise ApprovalError("Only the decider themselves can name their deputy.")
    if deputy.pk == delegator.pk:
        raise ApprovalError("You cannot be your own deputy.")
    if not deputy.is_active or deputy.is_leaver:
        raise ApprovalError("The deputy must be a current member of staff.")
    if not possible_deputies(delegator).filter(pk=deputy.pk).exists():
        raise ApprovalError("A Principal's deputy must work at their academy, or be the CEO or "
                            "HR, and must be able to sign in to the portal.")
    if ends_on < starts_on:
        raise ApprovalError("The end date must be on or after the start date.")
    with transaction.atomic():
        overlap = Delegation.objects.filter(
            delegator=delegator, ended_at__isnull=True, starts_on__lte=ends_on,
            ends_on__gte=starts_on,
        ).exists()
        if overlap:
            raise ApprovalError("You already have a deputy for part of that period.")
        delegation = Delegation(delegator=delegator, deputy=deputy, starts_on=starts_on,
                                ends_on=ends_on, reason=reason, created_by=actor)
        delegation.full_clean()
        delegation.save()
        audit_log(action="approvals.delegation_created", actor=actor, obj=delegation,
                  summary=f"{deputy.full_name} decides for {delegator.full_name} from "
                  f"{format_date(starts_on)} to {format_date(ends_on)}",
                  changes={"deputy": deputy.pk, "starts_on": str(starts_on),
                           "ends_on": str(ends_on), "reason": reason}, request=request)
        notify(recipient=deputy, kind="approvals.deputy", about=delegation,
               title=f"You are deputy for {delegator.full_name}'s approvals",
               body=f"From {format_date(starts_on)} to {format_date(ends_on)}, requests "
               f"waiting for {delegator.full_name} also wait for you. {reason}".strip(),
               url=reverse("approvals:queue"))
    return delegation


def delegation_end(*, delegation: Delegation, actor, request=None) -> Delegation:
    if actor.pk not in (delegation.delegator_id, delegation.created_by_id):
        raise ApprovalError("Only the person who named the deputy can end it.")
    with transaction.atomic():
        changed = Delegation.objects.filter(pk=delegation.pk, ended_at__isnull=True).update(
            ended_at=timezone.now()
        )
        if not changed:
            raise ApprovalError("This delegation has already ended.")
        navcache.bump()
        delegation.refresh_from_db()
        audit_log(action="approvals.delegation_ended", actor=actor, obj=delegation,
                  summary=f"Ended early: {delegation}", request=request)
    return delegation


def two_step_rule_add(*, academy, account: str, actor, request=None) -> TwoStepRule:
    if not can(actor, "approvals.configure"):
        raise ApprovalError("You may not change approval routing.")
    account = account.strip()
    with transaction.atomic():
        if TwoStepRule.objects.filter(academy=academy, account__iexact=account).exists():
            raise ApprovalError("That rule already exists.")
        rule = TwoStepRule.objects.create(academy=academy, account=account, created_by=actor)
        audit_log(action="approvals.routing_rule_added", actor=actor, obj=rule,
                  summary=f"Two steps (Principal, then CEO) for posts: {rule}", request=request)
    return rule


def two_step_rule_remove(*, rule: TwoStepRule, actor, request=None) -> None:
    if not can(actor, "approvals.configure"):
        raise ApprovalError("You may not change approval routing.")
    with transaction.atomic():
        audit_log(action="approvals.routing_rule_removed", actor=actor, obj=rule,
                  summary=f"Removed: {rule}", request=request)
        rule.delete()
