"""What each move of an approval request tells people: its after-save handlers.

Registered against the table (`approvals.workflow.REQUESTS`) and run by
`approvals.services.request_transition` once the move and its history entry are saved, in the
same transaction. Every message goes through the notifications outbox: people through
`notify()`, the IT contact (an address, perhaps not a portal user) through `email_address()`.
"""

import datetime

from django.urls import reverse
from django.utils import timezone

from approvals.models import ApprovalRequest, Kind
from approvals.routing import it_contact
from approvals.workflow import REQUESTS
from audit.services import actor_label
from core.dates import format_date, format_datetime
from core.workflow import Step
from notifications.addresses import email_address
from notifications.services import notifications_done, notify

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


def waiting_done(req: ApprovalRequest) -> None:
    """Decided (by whichever decider), forwarded, withdrawn or expired: "Waiting for your
    decision" is done for everyone it asked."""
    notifications_done(about=req, kinds=WAITING_KINDS)


def _url(req: ApprovalRequest) -> str:
    return reverse("approvals:detail", args=[req.pk])


def _period(step: Step) -> str:
    return f"event-{step.event.pk}"


def _urgent_for_requester(req: ApprovalRequest, move: str) -> bool:
    """Only what is: a revocation, an expiry, or a decision whose deadline is within a day."""
    if move in URGENT_MOVES:
        return True
    if move == "end" or req.due_at is None:
        return False
    left = req.due_at - timezone.now()
    return datetime.timedelta(0) < left < datetime.timedelta(days=1)


def _ask_the_deciders(step: Step) -> None:
    req, router = step.obj, step.data["router"]
    due = format_datetime(req.due_at)
    urgent = req.due_at - timezone.now() < datetime.timedelta(days=1)
    for person in router.asked(req):
        notify(recipient=person, kind="approvals.waiting", about=req, period=_period(step),
               url=_url(req), title=f"Waiting for your decision: {req.title}", urgent=urgent,
               body=f"{req.requester.full_name} asks for approval of a "
               f"{req.get_kind_display().lower()} ({req.reference}). Decision due {due}.")


def _tell_the_requester(step: Step, body: str | None = None) -> None:
    req, event, move = step.obj, step.event, step.move.name
    if body is None:
        body = event.reasons
        if event.conditions:
            body += f"\n\nConditions: {event.conditions}"
    notify(recipient=req.requester, kind=f"approvals.{move}", about=req, period=_period(step),
           url=_url(req), title=f"{MOVE_TITLES[move]}: {req.title}", body=body,
           urgent=_urgent_for_requester(req, move))


@REQUESTS.after_save("submit", "resubmit", "reopen")
def _asked(step: Step) -> None:
    _ask_the_deciders(step)


@REQUESTS.after_save("forward")
def _forwarded(step: Step) -> None:
    _ask_the_deciders(step)
    _tell_the_requester(step)


@REQUESTS.after_save("ask_changes", "refuse")
def _decided(step: Step) -> None:
    _tell_the_requester(step)


@REQUESTS.after_save("approve", "approve_with_conditions")
def _approved(step: Step) -> None:
    _tell_the_requester(step)
    if step.obj.kind == Kind.MONITORING:
        _tell_it_contact(step, stop=False)


@REQUESTS.after_save("expire")
def _expired(step: Step) -> None:
    _tell_the_requester(step, body="It was not decided before its time. Do not publish or "
                        "respond; submit it again with a new time if it is still needed.")


@REQUESTS.after_save("end")
def _ended(step: Step) -> None:
    req = step.obj
    _tell_the_requester(step, body=f"The period agreed ended on {format_date(req.valid_until)}.")
    if req.kind == Kind.MONITORING:
        if req.decided_by:
            notify(recipient=req.decided_by, kind="approvals.end", about=req,
                   period=_period(step), url=_url(req),
                   title=f"Monitoring period ended: {req.title}")
        _tell_it_contact(step, stop=True)


@REQUESTS.after_save("revoke")
def _revoked(step: Step) -> None:
    _tell_the_requester(step)
    if step.obj.kind == Kind.MONITORING:
        _tell_it_contact(step, stop=True)


@REQUESTS.after_save("withdraw", "record_publication", "published_differently")
def _tell_the_decider(step: Step) -> None:
    req, move = step.obj, step.move
    if move.name != "withdraw":
        notifications_done(about=req, kinds=["approvals.record_publication"])
    people = [req.decided_by] if req.decided_by else step.data["router"].deciders_for(req)
    for person in people:
        notify(recipient=person, kind=f"approvals.{move.name}", about=req, period=_period(step),
               url=_url(req), title=f"{move.label.capitalize()}: {req.title}",
               body=f"{req.requester.full_name} {move.label}.")


def _tell_it_contact(step: Step, *, stop: bool) -> None:
    """Monitoring approved: agree the set-up; ended or revoked: stop now. Queued in the outbox
    (retried if the mail server fails); the audit entry of the move records it."""
    req, revision = step.obj, step.event.revision
    _name, email = it_contact()
    if not email:
        return
    subject_name = req.subject_person.full_name if req.subject_person else "—"
    if not stop:
        subject = f"Monitoring approved ({req.reference}): please agree the set-up"
        body = (
            f"The trust has approved monitoring under clause 7.2 of its Social Media Policy.\n\n"
            f"Member of staff: {subject_name}\nScope: {revision.content.get('scope', '')}\n"
            f"From {format_date(req.valid_from)} until {format_date(req.valid_until)} (inclusive); "
            f"it must stop after that date.\nPresentation: "
            f"{revision.content.get('presentation') or 'to be agreed'}\n"
            f"Conditions: {req.conditions or 'none'}\n\n"
            f"Line manager: {actor_label(req.requester)}"
        )
    else:
        subject = f"Monitoring must stop now ({req.reference})"
        body = (f"The approved monitoring of {subject_name} has "
                f"{'ended' if step.move.name == 'end' else 'been revoked'}. Please stop it and "
                f"confirm to {actor_label(req.requester)}.")
    kind = "approvals.it_contact_stop" if stop else "approvals.it_contact_approved"
    delivery = email_address(to=email, kind=kind, subject=subject, body=body, about=req,
                             period=_period(step))
    if delivery is not None:
        step.changes["it_contact_email"] = {"to": email, "subject": subject,
                                            "delivery": delivery.pk}
