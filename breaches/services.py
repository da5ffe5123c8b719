"""Every write about reports and cases. Views call these; nothing else changes a case."""

import datetime
import logging
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone

from accounts.models import Academy, Role, User
from audit.services import audit_log
from breaches import workdays
from breaches.access import CONCERNED, case_roles
from breaches.evidence import EvidenceRejected, store_upload
from breaches.models import (
    Case,
    CaseEvent,
    CaseItem,
    CaseMember,
    CaseMessage,
    Evidence,
    Outcome,
    ReceivedVia,
    ReportDraft,
    State,
)
from breaches.workflow import TRANSITIONS, WORKING_STATES, CaseError, may
from core import navcache
from notifications.services import notify

log = logging.getLogger(__name__)

__all__ = ["CaseError", "EvidenceRejected"]

#: Months a closed case is kept, by how it ended (BREACHES_RETENTION_MONTHS overrides).
DEFAULT_RETENTION_MONTHS = {
    "no_case": 12,
    "informal": 12,
    Outcome.NO_ACTION: 12,
    Outcome.MANAGEMENT_ADVICE: 24,
    Outcome.WRITTEN_WARNING: 24,
    Outcome.FINAL_WRITTEN_WARNING: 36,
    Outcome.DISMISSAL: 72,
    Outcome.REFERRAL_LADO: 120,
    Outcome.REFERRAL_POLICE: 120,
    Outcome.REFERRAL_REGULATOR: 120,
    #: A confirmed safeguarding matter is kept at least this long, whatever the outcome.
    "safeguarding": 120,
}
#: Outcomes that are disciplinary sanctions (they need a known person and cited clauses).
SANCTIONS = frozenset({Outcome.MANAGEMENT_ADVICE, Outcome.WRITTEN_WARNING,
                       Outcome.FINAL_WRITTEN_WARNING, Outcome.DISMISSAL})


# --------------------------------------------------------------------------- helpers

def _today() -> datetime.date:
    return timezone.localdate()


def _label(user) -> str:
    return f"{user.full_name} <{user.email}>" if user else "system"


def case_url(case: Case) -> str:
    return reverse("breaches:case_detail", args=[case.pk])


def _event(case: Case, *, actor, kind: str, summary: str, reason: str = "",
           from_state: str = "", to_state: str = "", actor_label: str = "") -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, actor=actor, actor_label=actor_label or (_label(actor) if actor else "system"),
        kind=kind,
        summary=summary[:300], reason=reason, from_state=from_state, to_state=to_state,
    )


def current_ceo() -> User | None:
    return User.objects.current().filter(role=Role.CEO, is_active=True).order_by("pk").first()


def principal_of(academy: Academy | None) -> User | None:
    if academy is None or academy.is_central:
        return None
    return User.objects.current().filter(
        role=Role.PRINCIPAL, academy=academy, is_active=True
    ).first()


def eligible_handlers(case: Case):
    """People who may handle the case: the academy's Principal, HR, the CEO; never the
    person concerned."""
    people = User.objects.current().filter(is_active=True).filter(
        Q(role__in=[Role.HR, Role.CEO]) | Q(role=Role.PRINCIPAL, academy=case.academy)
    )
    if case.route_to_ceo:
        people = people.exclude(role=Role.PRINCIPAL)
    if case.concerned_id:
        people = people.exclude(pk=case.concerned_id)
    return people


# --------------------------------------------------------------------------- routing

def route_report(*, concerned: User | None, academy: Academy | None, to_ceo: bool = False
                 ) -> tuple[User, Academy]:
    """Who receives a report, and which academy it concerns.

    The Principal of the concerned person's academy; the CEO when it concerns a Principal or
    someone in the central team, when the reporter chose the CEO, or when the academy has no
    Principal in post. Never the person concerned: a report about the CEO goes to HR.
    """
    if concerned is not None:
        academy = concerned.academy or academy
    if academy is None:
        academy = Academy.objects.filter(is_central=True).first()
    if academy is None:
        raise CaseError("No academy is set up to receive reports. Tell the administrator.")
    receiver = None
    central_person = concerned is not None and concerned.is_central
    concerns_principal = concerned is not None and concerned.role == Role.PRINCIPAL
    if not (to_ceo or central_person or concerns_principal):
        receiver = principal_of(academy)
    if receiver is None or receiver == concerned:
        receiver = current_ceo()
    if receiver is None or receiver == concerned:
        receiver = User.objects.current().filter(role=Role.HR, is_active=True).exclude(
            pk=getattr(concerned, "pk", None)
        ).order_by("pk").first()
    if receiver is None:
        raise CaseError("Nobody is set up to receive reports. Tell the administrator.")
    return receiver, academy


def _next_reference(now: datetime.datetime) -> str:
    prefix = f"R-{now:%Y}-"
    last = (Case.objects.filter(reference__startswith=prefix)
            .annotate(width=Length("reference")).order_by("-width", "-reference")
            .values_list("reference", flat=True).first())
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


# --------------------------------------------------------------------------- drafts

def draft_for(owner: User, kind: str = ReportDraft.Kind.OWN) -> ReportDraft | None:
    return ReportDraft.objects.filter(owner=owner, kind=kind).first()


def draft_save(*, owner: User, data: dict[str, Any], kind: str = ReportDraft.Kind.OWN
               ) -> ReportDraft:
    """Keep what the person typed. Only plain strings and lists of strings are stored."""
    clean: dict[str, Any] = {}
    for key, value in data.items():
        if key in {"csrfmiddlewaretoken", "action"} or key.startswith("evidence_"):
            continue
        if isinstance(value, list):
            clean[key] = [str(v)[:10000] for v in value][:200]
        else:
            clean[key] = str(value)[:20000]
    with transaction.atomic():
        draft, _ = ReportDraft.objects.update_or_create(
            owner=owner, kind=kind, defaults={"data": clean}
        )
    return draft


def draft_discard(*, owner: User, kind: str = ReportDraft.Kind.OWN) -> None:
    with transaction.atomic():
        draft = draft_for(owner, kind)
        if draft is None:
            return
        files = [e.path for e in draft.evidence.all()]
        draft.delete()
        transaction.on_commit(lambda: [p.unlink(missing_ok=True) for p in files])


def draft_attach_evidence(*, owner: User, upload, description: str = "",
                          captured_at: datetime.datetime | None = None, site: str = "",
                          kind: str = ReportDraft.Kind.OWN, data: dict | None = None
                          ) -> Evidence:
    stored = store_upload(upload)  # raises EvidenceRejected before anything is kept
    try:
        with transaction.atomic():
            draft = draft_save(owner=owner, data=data or {}, kind=kind) if data is not None \
                else ReportDraft.objects.get_or_create(owner=owner, kind=kind)[0]
            return Evidence.objects.create(
                draft=draft, uploaded_by=owner, original_name=stored.original_name,
                stored_name=stored.stored_name, content_type=stored.kind.content_type,
                kind_label=stored.kind.label, size=stored.size, sha256=stored.sha256,
                description=description[:300], captured_at=captured_at, site=site[:300],
            )
    except BaseException:
        Evidence(stored_name=stored.stored_name).path.unlink(missing_ok=True)
        raise


def draft_remove_evidence(*, owner: User, evidence_id: int) -> None:
    with transaction.atomic():
        evidence = Evidence.objects.filter(pk=evidence_id, draft__owner=owner).first()
        if evidence is None:
            return
        path = evidence.path
        evidence.delete()
        transaction.on_commit(lambda: path.unlink(missing_ok=True))


# --------------------------------------------------------------------------- reporting

def report_submit(
    *,
    reporter: User,
    data: dict[str, Any],
    draft_kind: str = ReportDraft.Kind.OWN,
    logged_by: User | None = None,
    request=None,
) -> Case:
    """Turn a filled-in report into a case, route it and tell the receiver.

    `reporter` is the signed-in person who submits (for a report logged on someone's behalf,
    the person logging it; `data["on_behalf_of"]`/`data["reporter_name"]` say who reported).
    The case and its notifications commit together: if the broker is down, the notification
    rows are kept and sent by the next sweep, and the report is never lost.
    """
    anonymous = bool(data.get("anonymous"))
    concerned: User | None = data.get("concerned")
    if logged_by is not None and concerned is not None and concerned.pk == logged_by.pk:
        raise CaseError("You cannot log a report about yourself: ask your Principal or HR to "
                        "log it.")
    if concerned is not None and concerned.pk == reporter.pk:
        raise CaseError("You cannot report yourself here. Speak to your Principal or HR.")
    receiver, academy = route_report(
        concerned=concerned, academy=data.get("academy"), to_ceo=bool(data.get("route_to_ceo"))
    )
    now = timezone.now()
    on_behalf = logged_by is not None
    original_reporter = data.get("on_behalf_of") if on_behalf else reporter
    with transaction.atomic():
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    case = Case.objects.create(
                        reference=_next_reference(now),
                        reporter=None if anonymous else original_reporter,
                        anonymous=anonymous,
                        reporter_name="" if anonymous else (data.get("reporter_name") or "")[:200],
                        withhold_identity=bool(data.get("withhold_identity")) or anonymous,
                        received_via=data.get("received_via") or ReceivedVia.PORTAL,
                        logged_by=logged_by,
                        concerned=concerned,
                        concerned_unknown=concerned is None,
                        concerned_description=(data.get("concerned_description") or "")[:300],
                        academy=academy,
                        route_to_ceo=bool(data.get("route_to_ceo")),
                        platform=data["platform"],
                        platform_other=(data.get("platform_other") or "")[:100],
                        links=data.get("links") or "",
                        seen_at=data["seen_at"],
                        description=data["description"],
                        safeguarding=bool(data.get("safeguarding")),
                        cpoms_reference=(data.get("cpoms_reference") or "")[:100]
                        if data.get("safeguarding") else "",
                        cyberbullying=bool(data.get("cyberbullying")),
                        reporter_wishes=(data.get("reporter_wishes") or "")[:5000],
                        receiver=receiver,
                        handler=receiver,
                        triage_due=workdays.due_from(timezone.localdate(now), "triage"),
                    )
                break
            except IntegrityError as exc:
                if "reference" not in str(exc).lower() and "unique" not in str(exc).lower():
                    raise
        else:  # pragma: no cover - five concurrent submissions in the same instant
            raise CaseError("The report could not be numbered. Please send it again.")
        clauses = list(data.get("clauses") or [])
        if clauses:
            case.cited_clauses.set(clauses)
        draft = draft_for(logged_by or reporter, draft_kind)
        if draft is not None:
            draft.evidence.update(case=case, draft=None)
            if anonymous:
                case.evidence.update(uploaded_by=None)
            draft.delete()
        actor = None if anonymous else reporter
        if on_behalf:
            summary = f"Report received {case.get_received_via_display().lower()}, logged"
        elif anonymous:
            summary = "Anonymous report received"
        else:
            summary = "Report received"
        _event(case, actor=actor, kind="reported", summary=summary, to_state=State.REPORTED,
               actor_label="Anonymous reporter" if anonymous else "")
        audit_log(
            action="breaches.report_submitted", actor=actor, obj=case,
            summary=f"{summary}; routed to {receiver.get_role_display()}",
            changes={"routed_to": receiver.pk, "academy": academy.pk,
                     "safeguarding": case.safeguarding, "anonymous": anonymous,
                     "on_behalf": on_behalf},
            request=None if anonymous else request,
        )
        notify(
            recipient=receiver, kind="breaches.report_received",
            title=f"New report of social media misuse: {case.reference}",
            body=(
                "A report of suspected social media misuse has been routed to you. "
                f"Triage is due by {case.triage_due:%-d %B %Y}."
                + (" It is flagged as a SAFEGUARDING concern." if case.safeguarding else "")
            ),
            url=case_url(case), about=case, urgent=True,
            reason="A report of social media misuse was routed to you to handle.",
        )
        if not anonymous and original_reporter is not None and on_behalf:
            notify(
                recipient=original_reporter, kind="breaches.report_logged",
                title=f"Your report {case.reference} has been logged",
                body="A report you made has been logged in the Policy Portal on your behalf.",
                url=reverse("breaches:my_report", args=[case.pk]), about=case,
            )
    return case


# --------------------------------------------------------------------------- the state machine

def _retention_until(case: Case, closed_on: datetime.date) -> datetime.date:
    table = {**DEFAULT_RETENTION_MONTHS, **getattr(settings, "BREACHES_RETENTION_MONTHS", {})}
    if case.state == State.NO_CASE:
        key = "no_case"
    elif case.outcome:
        key = case.outcome
    else:
        key = "informal"
    months = int(table.get(key, table["no_case"]))
    if case.safeguarding_confirmed:
        months = max(months, int(table.get("safeguarding", months)))
    return closed_on + relativedelta(months=months)


def _appeal_hearer_for(case: Case) -> User | None:
    """The CEO hears appeals, unless the CEO made the decision (then HR arranges a panel)."""
    ceo = current_ceo()
    excluded = {case.decided_by_id, case.concerned_id}
    if ceo is not None and ceo.pk not in excluded:
        return ceo
    return User.objects.current().filter(role=Role.HR, is_active=True).exclude(
        pk__in=[pk for pk in excluded if pk]
    ).order_by("pk").first()


def _check_clauses(case: Case, clauses) -> list:
    from policies.models import Clause

    ids = [c.pk if hasattr(c, "pk") else int(c) for c in clauses or []]
    found = list(Clause.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise CaseError("One of the clauses chosen no longer exists.")
    return found


def case_transition(
    *, case: Case, target: str, actor: User, reason: str = "",
    data: dict[str, Any] | None = None, request=None,
) -> Case:
    """Apply one move of the transition table to a case: the only way a case changes state.

    Checks the table (does this move exist from this state? may this person make it?), the
    move's own conditions, saves, writes the timeline and the audit trail, and notifies.
    """
    data = data or {}
    reason = (reason or "").strip()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        move = TRANSITIONS.get((case.state, target))
        if move is None:
            raise CaseError(
                f"A case that is “{case.get_state_display()}” cannot move to "
                f"“{State(target).label if target in State.values else target}”."
            )
        roles = case_roles(case, actor)
        if not move.roles & roles:
            raise CaseError(f"You may not “{move.label.lower()}” on this case.")
        if move.reason_required and not reason:
            raise CaseError("Give a reason: it is kept in the case record.")
        source = case.state
        today = _today()
        now = timezone.now()
        changes: dict[str, Any] = {"state": [source, target]}
        to_notify: list[tuple] = []

        if target == State.TRIAGE:
            severity = data.get("severity") or ""
            if severity not in {"low", "medium", "high"}:
                raise CaseError("Choose the severity.")
            confirmed = data.get("safeguarding_confirmed")
            if confirmed not in (True, False):
                raise CaseError("Say whether this is a safeguarding matter.")
            handler = data.get("handler") or case.handler
            if not eligible_handlers(case).filter(pk=handler.pk).exists():
                raise CaseError("That person cannot handle this case.")
            if handler.pk != case.handler_id:
                changes["handler"] = [case.handler_id, handler.pk]
                to_notify.append((handler, "breaches.assigned",
                                  f"You now handle report {case.reference}"))
            case.handler = handler
            case.severity = severity
            case.safeguarding_confirmed = confirmed
            changes.update(severity=severity, safeguarding_confirmed=confirmed)
        elif target == State.INFORMAL:
            case.step_due = workdays.due_from(today, "informal")
        elif target == State.INVESTIGATION:
            case.step_due = workdays.due_from(today, "investigation")
        elif target == State.OUTCOME:
            outcome = data.get("outcome") or ""
            if outcome not in Outcome.values:
                raise CaseError("Choose the outcome.")
            reasons = (data.get("outcome_reasons") or "").strip()
            if not reasons:
                raise CaseError("Give the reasons for the outcome.")
            breached = _check_clauses(case, data.get("clauses_breached"))
            if outcome != Outcome.NO_ACTION and not breached:
                raise CaseError("Choose the clauses found breached.")
            if outcome in SANCTIONS and case.concerned_id is None:
                raise CaseError("A sanction needs a known person: the person concerned is "
                                "unknown.")
            case.outcome, case.outcome_reasons = outcome, reasons
            case.decided_by, case.decided_at = actor, now
            case.appeal_deadline = workdays.due_from(today, "appeal_window")
            case.step_due = None
            reason = reason or reasons
            changes.update(outcome=outcome, clauses_breached=[c.number for c in breached])
        elif target == State.APPEAL:
            if case.appeal_deadline and today > case.appeal_deadline:
                raise CaseError(
                    f"The appeal window closed on {case.appeal_deadline:%-d %B %Y}."
                )
            hearer = data.get("hearer") or _appeal_hearer_for(case)
            if hearer is None:
                raise CaseError("Nobody other than the first decision-maker can hear the "
                                "appeal. Tell HR.")
            if hearer.pk in {case.decided_by_id, case.concerned_id}:
                raise CaseError("The appeal must be heard by someone other than the first "
                                "decision-maker.")
            case.appeal_lodged_at, case.appeal_grounds = now, reason
            case.appeal_hearer = hearer
            case.step_due = workdays.due_from(today, "appeal")
            changes.update(appeal_hearer=hearer.pk)
            to_notify.append((hearer, "breaches.appeal_to_hear",
                              f"You are asked to hear the appeal on {case.reference}"))
            if case.handler_id != actor.pk:
                to_notify.append((case.handler, "breaches.appeal_lodged",
                                  f"An appeal was lodged on {case.reference}"))
        elif target == State.CLOSED and source == State.OUTCOME:
            if case.appeal_deadline and today <= case.appeal_deadline:
                raise CaseError(
                    f"The appeal window is open until {case.appeal_deadline:%-d %B %Y}; "
                    "the case can be closed after that."
                )
        elif target == State.CLOSED and source == State.APPEAL:
            result = data.get("appeal_result") or ""
            if result not in {"upheld", "dismissed"}:
                raise CaseError("Say whether the appeal is upheld or dismissed.")
            reasons = (data.get("appeal_reasons") or "").strip()
            if not reasons:
                raise CaseError("Give the reasons for the appeal decision.")
            if actor.pk == case.decided_by_id:
                raise CaseError("The first decision-maker cannot decide the appeal.")
            revised = data.get("revised_outcome") or ""
            if result == "upheld" and revised:
                if revised not in Outcome.values:
                    raise CaseError("Choose the revised outcome.")
                changes["outcome"] = [case.outcome, revised]
                case.outcome = revised
            case.appeal_result, case.appeal_reasons = result, reasons
            case.appeal_decided_at = now
            reason = reason or reasons
            changes.update(appeal_result=result)

        case.state = target
        if target in {State.NO_CASE, State.CLOSED}:
            case.closed_at = now
            case.step_due = None
            case.retention_until = _retention_until(case, today)
            changes["retention_until"] = case.retention_until.isoformat()
        try:
            case.full_clean(exclude=["cited_clauses", "clauses_breached"])
        except ValidationError as error:
            raise CaseError(" ".join(error.messages)) from error
        case.save()
        if target == State.OUTCOME:
            case.clauses_breached.set(breached)
        summary = f"{move.label}: {State(source).label} → {State(target).label}"
        _event(case, actor=actor, kind="transition", summary=summary, reason=reason,
               from_state=source, to_state=target)
        audit_log(action=f"breaches.case_{target}", actor=actor, obj=case, summary=summary,
                  changes={**changes, "reason": reason}, request=request)

        # Who is told.
        status_title = f"Your report {case.reference}: {case.get_state_display()}"
        if case.reporter_id and case.reporter_id != actor.pk:
            notify(recipient=case.reporter, kind="breaches.report_status",
                   title=status_title,
                   body="The status of a report you made has changed. Open it for details.",
                   url=reverse("breaches:my_report", args=[case.pk]), about=case,
                   period=target)
        if target == State.OUTCOME and case.concerned_id:
            _mark_concerned_notified(case, actor=actor, request=request, why="outcome")
            notify(recipient=case.concerned, kind="breaches.outcome",
                   title=f"Outcome of {case.reference}: {case.get_outcome_display()}",
                   body=(f"An outcome has been recorded. You may appeal until "
                         f"{case.appeal_deadline:%-d %B %Y}."),
                   url=reverse("breaches:about_me", args=[case.pk]), about=case,
                   urgent=True)
        if target == State.CLOSED and source == State.APPEAL and case.concerned_id:
            notify(recipient=case.concerned, kind="breaches.appeal_decided",
                   title=f"Your appeal on {case.reference} was {case.appeal_result}",
                   body="The appeal has been decided. Open the page for the reasons.",
                   url=reverse("breaches:about_me", args=[case.pk]), about=case)
        for person, kind, title in to_notify:
            notify(recipient=person, kind=kind, title=title,
                   body="Open the case for details.", url=case_url(case), about=case,
                   period=target)
    return case


# --------------------------------------------------------------------------- other actions

def _require(case: Case, actor: User, action: str) -> set[str]:
    roles = case_roles(case, actor)
    if not may(action, roles):
        raise CaseError("You may not do this on this case.")
    return roles


def _mark_concerned_notified(case: Case, *, actor, request, why: str) -> bool:
    if case.concerned_id is None or case.concerned_notified_at is not None:
        return False
    case.concerned_notified_at = timezone.now()
    Case.objects.filter(pk=case.pk).update(concerned_notified_at=case.concerned_notified_at)
    navcache.bump()  # their home page now shows the report (no save signal here)
    _event(case, actor=actor, kind="notified", summary="The person concerned was notified",
           reason=why)
    audit_log(action="breaches.concerned_notified", actor=actor, obj=case,
              summary=f"The person concerned was notified ({why})", request=request)
    return True


def case_notify_concerned(*, case: Case, actor: User, message: str, request=None) -> Case:
    """Tell the person concerned about the allegation (they then see it on their page)."""
    message = (message or "").strip()
    if not message:
        raise CaseError("Write what the person concerned is told.")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _require(case, actor, "notify_concerned")
        if case.concerned_id is None:
            raise CaseError("The person concerned is not known.")
        _mark_concerned_notified(case, actor=actor, request=request, why="by the handler")
        _message(case, actor=actor, recipient=case.concerned, body=message, request=request)
    return case


def _message(case: Case, *, actor, recipient, body: str, request=None) -> CaseMessage:
    message = CaseMessage.objects.create(case=case, recipient=recipient, author=actor, body=body)
    if recipient is not None:
        who = "the person concerned" if recipient.pk == case.concerned_id else "the reporter"
        _event(case, actor=actor, kind="message", summary=f"Message sent to {who}", reason=body)
        audit_log(action="breaches.message_sent", actor=actor, obj=case,
                  summary=f"Message sent to {who}", request=request)
        url = (reverse("breaches:about_me", args=[case.pk]) if recipient.pk == case.concerned_id
               else reverse("breaches:my_report", args=[case.pk]))
        notify(recipient=recipient, kind="breaches.message",
               title=f"New message about {case.reference}", body=body[:500], url=url,
               about=case, period=f"message-{message.pk}")
    else:
        _event(case, actor=actor, kind="reply", summary="Reply received", reason=body)
        audit_log(action="breaches.reply_received", actor=actor, obj=case,
                  summary="Reply received", request=request)
        notify(recipient=case.handler, kind="breaches.reply",
               title=f"New reply on {case.reference}", body="Open the case to read it.",
               url=case_url(case), about=case, period=f"message-{message.pk}")
    return message


def case_message_send(*, case: Case, actor: User, to: str, body: str, request=None
                      ) -> CaseMessage:
    """A message from the case team to the reporter or the person concerned."""
    body = (body or "").strip()
    if not body:
        raise CaseError("Write a message.")
    with transaction.atomic():
        _require(case, actor, "message")
        if to == "reporter":
            if case.reporter_id is None:
                raise CaseError("The reporter is anonymous or not in the portal, so they "
                                "cannot be sent messages.")
            recipient = case.reporter
        elif to == "concerned":
            if case.concerned_id is None:
                raise CaseError("The person concerned is not known.")
            if case.concerned_notified_at is None:
                raise CaseError("Notify the person concerned first.")
            recipient = case.concerned
        else:
            raise CaseError("Choose who the message is for.")
        return _message(case, actor=actor, recipient=recipient, body=body, request=request)


def case_reply(*, case: Case, actor: User, body: str, request=None) -> CaseMessage:
    """A reply from the reporter or the person concerned to whoever handles the case."""
    body = (body or "").strip()
    if not body:
        raise CaseError("Write a message.")
    with transaction.atomic():
        roles = case_roles(case, actor)
        if not roles & {"reporter", CONCERNED}:
            raise CaseError("You may not reply on this report.")
        if case.is_final:
            raise CaseError("This report is closed.")
        return _message(case, actor=actor, recipient=None, body=body, request=request)


def case_assign_handler(*, case: Case, actor: User, handler: User, reason: str, request=None
                        ) -> Case:
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _require(case, actor, "assign_handler")
        if not reason.strip():
            raise CaseError("Give a reason for the change of handler.")
        if not eligible_handlers(case).filter(pk=handler.pk).exists():
            raise CaseError("That person cannot handle this case.")
        previous = case.handler_id
        case.handler = handler
        case.save(update_fields=["handler", "updated_at"])
        _event(case, actor=actor, kind="handler", summary=f"Handler changed to {handler}",
               reason=reason)
        audit_log(action="breaches.handler_assigned", actor=actor, obj=case,
                  summary="Handler changed", changes={"handler": [previous, handler.pk]},
                  request=request)
        notify(recipient=handler, kind="breaches.assigned",
               title=f"You now handle report {case.reference}", url=case_url(case), about=case,
               period=f"handler-{handler.pk}")
    return case


def case_member_add(*, case: Case, actor: User, person: User, role: str, request=None
                    ) -> CaseMember:
    with transaction.atomic():
        _require(case, actor, "add_member")
        if person.pk == case.concerned_id:
            raise CaseError("The person concerned cannot be added to the case team.")
        if not person.is_active or person.is_leaver:
            raise CaseError("That person is no longer with the trust.")
        if role not in CaseMember.Role.values:
            raise CaseError("Choose the person's role in the case.")
        if CaseMember.objects.filter(case=case, person=person, removed_at__isnull=True).exists():
            raise CaseError(f"{person} is already on the case.")
        member = CaseMember.objects.create(case=case, person=person, role=role, added_by=actor)
        _event(case, actor=actor, kind="member",
               summary=f"{person} added as {member.get_role_display().lower()}")
        audit_log(action="breaches.member_added", actor=actor, obj=case,
                  summary=f"Added to the case as {member.get_role_display().lower()}",
                  changes={"person": person.pk, "role": role}, request=request)
        notify(recipient=person, kind="breaches.member_added",
               title=f"You have been added to case {case.reference}",
               body=f"Your role: {member.get_role_display()}. Keep it confidential.",
               url=case_url(case), about=case, period=f"member-{member.pk}")
    return member


def case_member_remove(*, case: Case, actor: User, member_id: int, request=None) -> None:
    with transaction.atomic():
        _require(case, actor, "remove_member")
        member = CaseMember.objects.filter(case=case, pk=member_id, removed_at__isnull=True
                                           ).first()
        if member is None:
            raise CaseError("That person is not on the case.")
        member.removed_at = timezone.now()
        member.save(update_fields=["removed_at"])
        _event(case, actor=actor, kind="member", summary=f"{member.person} removed from the case")
        audit_log(action="breaches.member_removed", actor=actor, obj=case,
                  summary="Removed from the case", changes={"person": member.person_id},
                  request=request)


def case_item_add(*, case: Case, actor: User, kind: str, body: str,
                  meeting_at: datetime.datetime | None = None, attendees: str = "",
                  addressed_to: User | None = None, deadline: datetime.date | None = None,
                  request=None) -> CaseItem:
    """Record investigation work: a note, a meeting, or a request with a deadline."""
    body = (body or "").strip()
    if kind not in CaseItem.Kind.values:
        raise CaseError("Choose what you are recording.")
    if not body:
        raise CaseError("Write the details.")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _require(case, actor, "add_item")
        if case.state not in WORKING_STATES:
            raise CaseError(f"Nothing can be added while the case is "
                            f"“{case.get_state_display()}”.")
        if kind == CaseItem.Kind.MEETING and meeting_at is None:
            raise CaseError("Give the date and time of the meeting.")
        if kind in CaseItem.REQUEST_KINDS:
            if kind in {CaseItem.Kind.COOPERATE_REQUEST, CaseItem.Kind.REMOVAL_REQUEST}:
                if case.concerned_id is None:
                    raise CaseError("This request goes to the person concerned, who is unknown.")
                addressed_to = case.concerned
            if addressed_to is None:
                raise CaseError("Choose who the request is addressed to.")
            if deadline is None:
                step = "removal_request" if kind == CaseItem.Kind.REMOVAL_REQUEST else "request"
                deadline = workdays.due_from(_today(), step)
            if deadline < _today():
                raise CaseError("The deadline is in the past.")
        else:
            addressed_to, deadline = None, None
        item = CaseItem.objects.create(
            case=case, kind=kind, body=body, meeting_at=meeting_at, attendees=attendees[:500],
            addressed_to=addressed_to, deadline=deadline, created_by=actor,
        )
        label = item.get_kind_display()
        summary = label + (f", due {deadline:%-d %B %Y}" if deadline else "")
        _event(case, actor=actor, kind=f"item.{kind}", summary=summary,
               reason=body if kind != CaseItem.Kind.NOTE else "")
        audit_log(action="breaches.item_added", actor=actor, obj=case, summary=summary,
                  changes={"kind": kind, "item": item.pk}, request=request)
        if addressed_to is not None:
            if addressed_to.pk == case.concerned_id:
                _mark_concerned_notified(case, actor=actor, request=request, why=label)
                url = reverse("breaches:about_me", args=[case.pk])
                CaseMessage.objects.create(case=case, recipient=addressed_to, author=actor,
                                           body=f"{label}, by {deadline:%-d %B %Y}:\n\n{body}")
            else:
                url = case_url(case) if can_open(case, addressed_to) else (
                    reverse("breaches:my_report", args=[case.pk])
                    if addressed_to.pk == case.reporter_id else "")
                if addressed_to.pk == case.reporter_id:
                    CaseMessage.objects.create(case=case, recipient=addressed_to, author=actor,
                                               body=f"{label}, by {deadline:%-d %B %Y}:\n\n{body}")
            notify(recipient=addressed_to, kind=f"breaches.{kind}",
                   title=f"{label} ({case.reference}), by {deadline:%-d %B %Y}",
                   body=body[:1000], url=url, about=case, period=f"item-{item.pk}",
                   urgent=kind == CaseItem.Kind.REMOVAL_REQUEST)
    return item


def can_open(case: Case, person: User) -> bool:
    from breaches.access import can_open_case

    return can_open_case(case, person)


def case_item_record_compliance(*, case: Case, actor: User, item_id: int, complied: bool,
                                note: str = "", request=None) -> CaseItem:
    with transaction.atomic():
        _require(case, actor, "record_compliance")
        item = CaseItem.objects.select_for_update().filter(case=case, pk=item_id).first()
        if item is None or not item.is_request:
            raise CaseError("That request does not exist.")
        item.complied = complied
        item.complied_note = note[:300]
        item.complied_recorded_at = timezone.now()
        item.save(update_fields=["complied", "complied_note", "complied_recorded_at"])
        answer = "complied with" if complied else "NOT complied with"
        summary = f"{item.get_kind_display()}: {answer}"
        _event(case, actor=actor, kind="compliance", summary=summary, reason=note)
        audit_log(action="breaches.compliance_recorded", actor=actor, obj=case, summary=summary,
                  changes={"item": item.pk, "complied": complied}, request=request)
    return item


def case_set_hearer(*, case: Case, actor: User, hearer: User, request=None) -> Case:
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _require(case, actor, "set_hearer")
        if case.state != State.APPEAL:
            raise CaseError("An appeal hearer is set only while an appeal is open.")
        if hearer.pk in {case.decided_by_id, case.concerned_id}:
            raise CaseError("The appeal must be heard by someone other than the first "
                            "decision-maker and the person concerned.")
        previous = case.appeal_hearer_id
        case.appeal_hearer = hearer
        case.save(update_fields=["appeal_hearer", "updated_at"])
        _event(case, actor=actor, kind="hearer", summary=f"Appeal to be heard by {hearer}")
        audit_log(action="breaches.hearer_set", actor=actor, obj=case,
                  summary="Appeal hearer changed", changes={"hearer": [previous, hearer.pk]},
                  request=request)
        notify(recipient=hearer, kind="breaches.appeal_to_hear",
               title=f"You are asked to hear the appeal on {case.reference}",
               url=case_url(case), about=case, period=f"hearer-{hearer.pk}")
    return case


def case_legal_hold(*, case: Case, actor: User, hold: bool, reason: str, request=None) -> Case:
    if not reason.strip():
        raise CaseError("Give a reason.")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _require(case, actor, "legal_hold")
        case.legal_hold = hold
        case.legal_hold_reason = reason[:300] if hold else ""
        case.save(update_fields=["legal_hold", "legal_hold_reason", "updated_at"])
        summary = "Legal hold placed" if hold else "Legal hold lifted"
        _event(case, actor=actor, kind="legal_hold", summary=summary, reason=reason)
        audit_log(action="breaches.legal_hold", actor=actor, obj=case, summary=summary,
                  changes={"legal_hold": hold, "reason": reason}, request=request)
    return case


def case_evidence_add(*, case: Case, actor: User, upload, description: str = "",
                      captured_at=None, site: str = "", request=None) -> Evidence:
    _require(case, actor, "add_evidence")
    if case.is_final:
        raise CaseError("Evidence cannot be added to a closed case.")
    stored = store_upload(upload)
    try:
        with transaction.atomic():
            evidence = Evidence.objects.create(
                case=case, uploaded_by=actor, original_name=stored.original_name,
                stored_name=stored.stored_name, content_type=stored.kind.content_type,
                kind_label=stored.kind.label, size=stored.size, sha256=stored.sha256,
                description=description[:300], captured_at=captured_at, site=site[:300],
            )
            _event(case, actor=actor, kind="evidence",
                   summary=f"Evidence added: {stored.kind.label}, {stored.size:,} bytes")
            audit_log(action="breaches.evidence_added", actor=actor, obj=evidence,
                      summary=f"Evidence added to {case}",
                      changes={"sha256": stored.sha256, "size": stored.size}, request=request)
    except BaseException:
        evidence_path = Evidence(stored_name=stored.stored_name).path
        evidence_path.unlink(missing_ok=True)
        raise
    return evidence


def case_record_view(*, case: Case, actor: User, request=None,
                     action: str = "breaches.case_viewed",
                     summary: str = "Opened the case file") -> None:
    """Every opening of a case file (and of the allegation by the person concerned) is
    recorded."""
    with transaction.atomic():
        audit_log(action=action, actor=actor, obj=case, summary=summary, request=request)


def evidence_record_download(*, evidence: Evidence, actor: User, request=None) -> None:
    with transaction.atomic():
        audit_log(action="breaches.evidence_downloaded", actor=actor, obj=evidence,
                  summary=f"Downloaded evidence of {evidence.case}",
                  changes={"sha256": evidence.sha256}, request=request)


# --------------------------------------------------------------------------- retention

def case_anonymise(*, case: Case, actor: User | None = None, reason: str = "retention") -> Case:
    """Remove everything that identifies anyone, delete the evidence files, keep the
    statistical skeleton (dates, platform, academy, clauses, outcome)."""
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.legal_hold:
            raise CaseError("The case is under legal hold.")
        paths = []
        files = 0
        for evidence in case.evidence.filter(deleted_at__isnull=True):
            paths.append(evidence.path)
            files += 1
        case.evidence.all().update(deleted_at=timezone.now(), original_name="(deleted)",
                                   description="", site="")
        case.items.all().delete()
        case.messages.all().delete()
        case.members.all().delete()
        case.events.all().delete()
        navcache.bump()
        Case.objects.filter(pk=case.pk).update(
            reporter=None, reporter_name="", logged_by=None, concerned=None,
            concerned_description="", links="", description="(removed under the retention rule)",
            reporter_wishes="",
            cpoms_reference="", outcome_reasons="", appeal_grounds="", appeal_reasons="",
            platform_other="", anonymised_at=timezone.now(),
        )
        case.refresh_from_db()
        _event(case, actor=actor, kind="retention",
               summary=f"Anonymised under the retention rule; {files} evidence file(s) deleted")
        audit_log(action="breaches.case_anonymised", actor=actor, obj=case,
                  summary=f"Anonymised ({reason}); {files} evidence file(s) deleted",
                  changes={"files_deleted": files,
                           "retention_until": case.retention_until.isoformat()
                           if case.retention_until else None})
        transaction.on_commit(lambda: [p.unlink(missing_ok=True) for p in paths])
    return case


def apply_retention(*, today: datetime.date | None = None, dry_run: bool = False
                    ) -> dict[str, list[str]]:
    """Anonymise closed cases whose retention date has passed; skip those on legal hold."""
    today = today or _today()
    due = Case.objects.filter(state__in=[State.NO_CASE, State.CLOSED],
                              retention_until__lte=today, anonymised_at__isnull=True)
    result: dict[str, list[str]] = {"anonymised": [], "held": [], "drafts_deleted": []}
    for case in due.order_by("retention_until", "pk"):
        if case.legal_hold:
            result["held"].append(case.reference)
            continue
        if not dry_run:
            case_anonymise(case=case)
        result["anonymised"].append(case.reference)
    stale_days = int(getattr(settings, "BREACHES_DRAFT_RETENTION_DAYS", 30))
    cutoff = timezone.now() - datetime.timedelta(days=stale_days)
    for draft in ReportDraft.objects.filter(updated_at__lt=cutoff):
        result["drafts_deleted"].append(str(draft.pk))
        if not dry_run:
            draft_discard(owner=draft.owner, kind=draft.kind)
    if not dry_run and (result["anonymised"] or result["drafts_deleted"]):
        with transaction.atomic():
            audit_log(action="breaches.retention_applied", summary=(
                f"{len(result['anonymised'])} case(s) anonymised, {len(result['held'])} on "
                f"legal hold skipped, {len(result['drafts_deleted'])} stale draft(s) deleted"),
                changes=result)
    return result
