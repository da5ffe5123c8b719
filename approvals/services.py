"""Every write in approvals. All moves go through `request_transition`, which checks the table.

TRANSITIONS below is the single statement of the workflow: from which statuses a move may be
made, the status it leads to, who may make it (the requester, a decider for the current step or
their deputy, or the system) and for which kinds of request.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.permissions import can
from approvals.models import (
    PERIOD_KINDS,
    ApprovalRequest,
    Attachment,
    Delegation,
    Event,
    Kind,
    Revision,
    Status,
    TwoStepRule,
)
from approvals.routing import Router, it_contact
from approvals.uploads import StoredFile
from audit.services import audit_log
from core import navcache
from core.dates import format_date, format_datetime
from core.errors import Refused
from notifications.services import notifications_done, notify

log = logging.getLogger(__name__)

REQUESTER, DECIDER, SYSTEM = "requester", "decider", "system"
NEW = ""


class ApprovalError(Refused):
    """A move that is not allowed: shown to the person as a message, never a 500."""


@dataclass(frozen=True)
class Move:
    name: str
    sources: frozenset[str]
    target: str
    by: str
    label: str
    kinds: frozenset[str] | None = None


def _m(name, sources, target, by, label, kinds=None) -> tuple[str, Move]:
    return name, Move(name, frozenset(sources), target, by, label,
                      frozenset(kinds) if kinds else None)


S = Status
TRANSITIONS: dict[str, Move] = dict([
    _m("submit", [NEW], S.PENDING, REQUESTER, "asked for approval"),
    _m("resubmit", [S.CHANGES_REQUESTED, S.EXPIRED], S.PENDING, REQUESTER,
       "resubmitted a new version"),
    _m("reopen", [S.APPROVED], S.PENDING, REQUESTER,
       "edited the approved post, which reopened it", [Kind.POST]),
    _m("forward", [S.PENDING], S.PENDING, DECIDER,
       "approved the first step and passed it to the CEO", [Kind.POST]),
    _m("approve", [S.PENDING], S.APPROVED, DECIDER, "approved"),
    _m("approve_with_conditions", [S.PENDING], S.APPROVED, DECIDER,
       "approved with conditions"),
    _m("ask_changes", [S.PENDING], S.CHANGES_REQUESTED, DECIDER, "asked for changes"),
    _m("refuse", [S.PENDING], S.REFUSED, DECIDER, "refused"),
    _m("withdraw", [S.PENDING, S.CHANGES_REQUESTED], S.WITHDRAWN, REQUESTER, "withdrew it"),
    _m("expire", [S.PENDING, S.CHANGES_REQUESTED], S.EXPIRED, SYSTEM,
       "expired: not decided in time", [Kind.POST, Kind.MEDIA]),
    _m("record_publication", [S.APPROVED], S.PUBLISHED, REQUESTER,
       "recorded that it was published as approved", [Kind.POST]),
    _m("published_differently", [S.APPROVED], S.CHANGES_REQUESTED, REQUESTER,
       "recorded that it was published differently; it must be resubmitted", [Kind.POST]),
    _m("end", [S.APPROVED], S.ENDED, SYSTEM, "ended: its period is over", PERIOD_KINDS),
    _m("revoke", [S.APPROVED], S.REVOKED, DECIDER, "revoked it", PERIOD_KINDS),
])
DECISION_MOVES = frozenset({"forward", "approve", "approve_with_conditions", "ask_changes",
                            "refuse", "revoke"})

AUDIT_LABELS = {f"approvals.{name}": move.label for name, move in TRANSITIONS.items()} | {
    "approvals.delegation_created": "named a deputy for approvals",
    "approvals.delegation_ended": "ended a delegation of approvals",
    "approvals.routing_rule_added": "added a two-step approval rule",
    "approvals.routing_rule_removed": "removed a two-step approval rule",
}


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


def request_transition(
    req: ApprovalRequest, *, move: str, actor=None, reasons: str = "", conditions: str = "",
    revision: Revision | None = None, updates: dict | None = None, request=None,
    router: Router | None = None,
) -> Event:
    """Apply one move from TRANSITIONS: check it, save, write history and audit, notify."""
    rule = TRANSITIONS.get(move)
    if rule is None:
        raise ApprovalError(f"Unknown move {move!r}.")
    router = router or Router()
    with transaction.atomic():
        if req.pk:
            locked = ApprovalRequest.objects.select_for_update().get(pk=req.pk)
            for name in ("status", "step", "steps"):
                setattr(req, name, getattr(locked, name))
        source = req.status if req.pk else NEW
        if move == "submit" and req.pk and not req.events.exists():
            source = NEW  # saved a moment ago so its first revision could point to it
        if source not in rule.sources:
            raise ApprovalError(
                f"This request is “{Status(source).label if source else 'new'}”: "
                f"it cannot be {rule.label.split(';')[0]} now."
            )
        if rule.kinds is not None and req.kind not in rule.kinds:
            raise ApprovalError("That is not possible for this kind of request.")
        on_behalf_of = _check_actor(req, rule, actor, router)
        if reasons == "" and rule.by == DECIDER:
            raise ApprovalError("Written reasons are required for every decision.")
        from_step = req.step
        req.status = rule.target
        for name, value in (updates or {}).items():
            setattr(req, name, value)
        req.full_clean(exclude=["requester", "academy", "subject_person", "decided_by",
                                "approved_revision"])
        req.save()
        event = Event.objects.create(
            request=req, move=move, from_status=source, to_status=rule.target, step=from_step,
            actor=actor, on_behalf_of=on_behalf_of, revision=revision or req.current_revision(),
            reasons=reasons, conditions=conditions,
        )
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
                     "conditions": conditions, "hash": req.approved_hash},
            request=request,
        )
        _notify(req, event, rule, router)
    return event


def _check_actor(req, rule: Move, actor, router: Router):
    """Return the absent decider a deputy acts for, or None; raise if the actor may not."""
    if rule.by == SYSTEM:
        if actor is not None:
            raise ApprovalError("Only the portal itself makes this move.")
        return None
    if actor is None:
        raise ApprovalError("Someone must make this move.")
    if rule.by == REQUESTER:
        if actor.pk != req.requester_id:
            raise ApprovalError("Only the person who asked can do this.")
        return None
    # A decider's move: never the requester, whatever their role (no self-approval).
    if actor.pk == req.requester_id:
        raise ApprovalError("You cannot decide your own request; someone else must.")
    if rule.name == "revoke":
        deciders = router.deciders_for(req, step=req.steps)
        if any(p.pk == actor.pk for p in deciders) or actor.pk == req.decided_by_id:
            return None
        deputy_for = _deputy_for(actor, deciders, req, router)
        if deputy_for is None:
            raise ApprovalError("Only the person who may decide this request can revoke it.")
        return deputy_for
    acting = router.acting_for(actor, req)
    if acting is None:
        raise ApprovalError("You are not the person who decides this request at this step.")
    return None if acting.pk == actor.pk else acting


def _deputy_for(actor, deciders, req, router: Router):
    ids = {p.pk: p for p in deciders}
    for delegation in router.active_delegations():
        if delegation.deputy_id == actor.pk and delegation.delegator_id in ids:
            if req.kind == Kind.MONITORING and actor.role not in (Role.HR, Role.CEO):
                continue
            return ids[delegation.delegator_id]
    return None


# ---------------------------------------------------------------------------- notifications

MOVE_TITLES = {
    "approve": "Approved", "approve_with_conditions": "Approved with conditions",
    "ask_changes": "Changes asked for", "refuse": "Refused", "revoke": "Revoked",
    "expire": "Expired undecided", "end": "Ended", "forward": "First step approved",
}


#: Notifications that ask a decider (or the requester) to act while the request waits.
WAITING_KINDS = ["approvals.waiting", "approvals.decision_due", "approvals.decision_overdue",
                 "approvals.post_expiring"]
#: Moves after which a decision notification calls for action soon (stop, or act today).
URGENT_MOVES = {"revoke", "expire"}


def _urgent_for_requester(req: ApprovalRequest, move: str) -> bool:
    """Only what is: a revocation, an expiry, or a decision whose deadline is within a day."""
    if move in URGENT_MOVES:
        return True
    if move in ("end",) or req.due_at is None:
        return False
    left = req.due_at - timezone.now()
    return datetime.timedelta(0) < left < datetime.timedelta(days=1)


def _notify(req: ApprovalRequest, event: Event, rule: Move, router: Router) -> None:
    url = reverse("approvals:detail", args=[req.pk])
    period = f"event-{event.pk}"
    move = rule.name
    if move not in ("submit", "resubmit", "reopen"):
        # Decided (by whichever decider), forwarded, withdrawn or expired: "Waiting for your
        # decision" is done for everyone it asked.
        notifications_done(about=req, kinds=WAITING_KINDS)
    if move in ("record_publication", "published_differently"):
        notifications_done(about=req, kinds=["approvals.record_publication"])
    if move in ("submit", "resubmit", "reopen", "forward"):
        deciders = router.deciders_for(req)
        due = format_datetime(req.due_at)
        urgent = req.due_at - timezone.now() < datetime.timedelta(days=1)
        for person in [*deciders, *router.deputies_for(deciders)]:
            notify(recipient=person, kind="approvals.waiting", about=req, period=period, url=url,
                   title=f"Waiting for your decision: {req.title}", urgent=urgent,
                   body=f"{req.requester.full_name} asks for approval of a "
                   f"{req.get_kind_display().lower()} ({req.reference}). Decision due {due}.")
    if move in MOVE_TITLES:
        body = event.reasons
        if event.conditions:
            body += f"\n\nConditions: {event.conditions}"
        if move == "expire":
            body = ("It was not decided before its time. Do not publish or respond; "
                    "submit it again with a new time if it is still needed.")
        if move == "end":
            body = f"The period agreed ended on {format_date(req.valid_until)}."
        notify(recipient=req.requester, kind=f"approvals.{move}", about=req, period=period,
               url=url, title=f"{MOVE_TITLES[move]}: {req.title}", body=body,
               urgent=_urgent_for_requester(req, move))
    if move in ("withdraw", "record_publication", "published_differently"):
        people = [req.decided_by] if req.decided_by else router.deciders_for(req)
        for person in people:
            notify(recipient=person, kind=f"approvals.{move}", about=req, period=period,
                   url=url, title=f"{rule.label.capitalize()}: {req.title}",
                   body=f"{req.requester.full_name} {rule.label}.")
    if move == "end" and req.kind == Kind.MONITORING and req.decided_by:
        notify(recipient=req.decided_by, kind="approvals.end", about=req, period=period,
               url=url, title=f"Monitoring period ended: {req.title}")
    if req.kind == Kind.MONITORING and move in ("approve", "approve_with_conditions", "end",
                                                "revoke"):
        _tell_it_contact(req, move, event)


def _tell_it_contact(req: ApprovalRequest, move: str, event: Event) -> None:
    name, email = it_contact()
    if not email:
        return
    subject_name = req.subject_person.full_name if req.subject_person else "—"
    revision = event.revision
    if move in ("approve", "approve_with_conditions"):
        subject = f"Monitoring approved ({req.reference}): please agree the set-up"
        body = (
            f"The trust has approved monitoring under clause 7.2 of its Social Media Policy.\n\n"
            f"Member of staff: {subject_name}\nScope: {revision.content.get('scope', '')}\n"
            f"From {format_date(req.valid_from)} until {format_date(req.valid_until)} (inclusive); "
            f"it must stop after that date.\nPresentation: "
            f"{revision.content.get('presentation') or 'to be agreed'}\n"
            f"Conditions: {req.conditions or 'none'}\n\n"
            f"Line manager: {req.requester.full_name} <{req.requester.email}>"
        )
    else:
        subject = f"Monitoring must stop now ({req.reference})"
        body = (f"The approved monitoring of {subject_name} has "
                f"{'ended' if move == 'end' else 'been revoked'}. Please stop it and confirm to "
                f"{req.requester.full_name} <{req.requester.email}>.")

    def send() -> None:
        try:
            send_mail(subject=subject, message=body, from_email=None, recipient_list=[email])
        except Exception:  # mail server down: logged, and the history shows it was due
            log.exception("Could not email the IT contact %s about %s", name, req.reference)

    transaction.on_commit(send)


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


def _default_due(columns: dict) -> datetime.datetime:
    return columns.get("due_at") or timezone.now() + datetime.timedelta(days=decision_days())


def request_submit(*, kind: str, requester, submission: Submission,
                   request=None) -> ApprovalRequest:
    if not can(requester, "approvals.request"):
        raise ApprovalError("You may not ask for approvals.")
    if requester.academy_id is None:
        raise ApprovalError("Your record has no academy; ask HR to add it first.")
    if kind == Kind.MONITORING:
        _check_monitoring_request(requester, submission.columns.get("subject_person"))
    columns = dict(submission.columns)
    columns["due_at"] = _default_due(columns)
    router = Router()
    with transaction.atomic():
        req = ApprovalRequest(kind=kind, title=submission.title, requester=requester,
                              academy_id=requester.academy_id, **columns)
        req.steps = router.steps_for(req)
        if not router.deciders_for(req):
            raise ApprovalError(
                "There is nobody other than you who can decide this request. "
                "Ask HR to check who your line manager and Principal are."
            )
        req.status = Status.PENDING
        req.full_clean(exclude=["requester", "academy", "subject_person", "decided_by",
                                "approved_revision"])
        req.save()
        revision = _new_revision(req, author=requester, submission=submission)
        request_transition(req, move="submit", actor=requester, revision=revision,
                           request=request, router=router)
    return req


def _check_monitoring_request(requester, subject) -> None:
    from approvals.forms import monitorable_by

    if not can(requester, "approvals.request_monitoring"):
        raise ApprovalError("Only a line manager or Principal can ask for monitoring.")
    if subject is None or not monitorable_by(requester).filter(pk=subject.pk).exists():
        raise ApprovalError("You can ask for monitoring only of staff you manage.")


def request_resubmit(*, req: ApprovalRequest, actor, submission: Submission,
                     request=None) -> Revision:
    """A new version after changes were asked for, or an edit of an approved post (reopens)."""
    if actor.pk != req.requester_id:
        raise ApprovalError("Only the person who asked can change the request.")
    move = "reopen" if req.status == Status.APPROVED else "resubmit"
    router = Router()
    with transaction.atomic():
        if req.kind == Kind.MONITORING:
            _check_monitoring_request(actor, submission.columns.get("subject_person"))
        revision = _new_revision(req, author=actor, submission=submission)
        columns = dict(submission.columns)
        columns["due_at"] = _default_due(columns)
        probe = ApprovalRequest(**{**{f.attname: getattr(req, f.attname)
                                      for f in req._meta.concrete_fields}, **columns})
        probe.steps = router.steps_for(probe)
        updates = {**columns, "title": submission.title, "step": 1, "steps": probe.steps,
                   "conditions": "", "approved_response": "", "decided_by": None,
                   "decided_at": None, "approved_revision": None, "approved_hash": ""}
        request_transition(req, move=move, actor=actor, revision=revision, updates=updates,
                           request=request, router=router)
    return revision


# ---------------------------------------------------------------------------- deciding


def request_decide(*, req: ApprovalRequest, actor, outcome: str, reasons: str,
                   conditions: str = "", response: str = "", request=None) -> Event:
    from approvals.forms import Outcome

    reasons, conditions, response = reasons.strip(), conditions.strip(), response.strip()
    if not reasons:
        raise ApprovalError("Written reasons are required for every decision.")
    if outcome == Outcome.CONDITIONS and not conditions:
        raise ApprovalError("Write the conditions you are approving with.")
    approving = outcome in (Outcome.APPROVE, Outcome.CONDITIONS)
    if req.kind == Kind.MEDIA and approving and not response:
        raise ApprovalError("Write the approved response before approving.")
    now = timezone.now()
    updates: dict = {"decided_by": actor, "decided_at": now}
    if approving and req.step < req.steps:
        move = "forward"
        updates = {"step": req.step + 1}
        if conditions:
            updates["conditions"] = _join(req.conditions, conditions)
    elif approving:
        move = "approve_with_conditions" if conditions else "approve"
        current = req.current_revision()
        updates |= {"approved_revision": current, "approved_hash": current.content_hash,
                    "conditions": _join(req.conditions, conditions),
                    "approved_response": response}
    elif outcome == Outcome.CHANGES:
        move = "ask_changes"
    elif outcome == Outcome.REFUSE:
        move = "refuse"
    else:
        raise ApprovalError("Choose a decision.")
    return request_transition(req, move=move, actor=actor, reasons=reasons,
                              conditions=conditions if approving else "", updates=updates,
                              request=request)


def _join(earlier: str, more: str) -> str:
    return "\n".join(part for part in (earlier.strip(), more.strip()) if part)


def request_withdraw(*, req: ApprovalRequest, actor, reasons: str = "", request=None) -> Event:
    return request_transition(req, move="withdraw", actor=actor, reasons=reasons.strip(),
                              request=request)


def request_revoke(*, req: ApprovalRequest, actor, reasons: str, request=None) -> Event:
    if not reasons.strip():
        raise ApprovalError("Written reasons are required to revoke.")
    return request_transition(req, move="revoke", actor=actor, reasons=reasons.strip(),
                              updates={"decided_by": actor, "decided_at": timezone.now()},
                              request=request)


def publication_record(*, req: ApprovalRequest, actor, url: str, published_at,
                       as_approved: bool, differences: str = "", request=None) -> Event:
    updates = {"published_url": url, "published_at": published_at,
               "published_as_approved": as_approved}
    if as_approved:
        return request_transition(req, move="record_publication", actor=actor,
                                  updates=updates, request=request)
    if not differences.strip():
        raise ApprovalError("Say what was different from the approved post.")
    updates |= {"approved_revision": None, "approved_hash": "", "decided_by": None,
                "decided_at": None}
    return request_transition(req, move="published_differently", actor=actor,
                              reasons=differences.strip(), updates=updates, request=request)


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
