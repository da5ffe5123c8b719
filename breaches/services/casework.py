"""Work on a case other than moves: messages, team, tasks, hearer, legal hold, evidence."""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.services import audit_log
from breaches import workdays
from breaches.access import CONCERNED, case_roles
from breaches.evidence import store_upload
from breaches.models import (
    Case,
    CaseItem,
    CaseMember,
    CaseMessage,
    Evidence,
    State,
)
from breaches.services.common import (
    _event,
    _mark_concerned_notified,
    _message,
    _require,
    _today,
    can_open,
    case_url,
    eligible_handlers,
)
from breaches.workflow import WORKING_STATES, CaseError
from notifications.services import notify


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



def case_item_record_compliance(*, case: Case, actor: User, item_id: int, complied: bool,
                                note: str = "", request=None) -> CaseItem:
    with transaction.atomic():
        _require(case, actor, "record_compliance")
        item = CaseItem.objects.select_for_update().filter(case=case, pk=item_id).first()
        if item is None or not item.is_request:
            raise CaseError("That request does not exist.")
        if item.withdrawn_at is not None:
            raise CaseError("That request was withdrawn when the case closed.")
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


def case_cpoms_record(*, case: Case, actor: User, reference: str, reason: str = "",
                      request=None) -> Case:
    """Record (or correct) the CPOMS reference of a safeguarding case, at any time after the
    report (clause 10.3): the DSL often records the incident in CPOMS after triage."""
    reference, reason = (reference or "").strip(), (reason or "").strip()
    if not reference:
        raise CaseError("Give the CPOMS reference.")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _require(case, actor, "record_cpoms")
        if not case.is_safeguarding:
            raise CaseError("Only a safeguarding matter has a CPOMS reference.")
        previous = case.cpoms_reference
        if reference == previous:
            raise CaseError(f"The CPOMS reference is already {previous}.")
        if previous and not reason:
            raise CaseError(f"Say why the CPOMS reference {previous} is being corrected.")
        case.cpoms_reference = reference[:100]
        case.save(update_fields=["cpoms_reference", "updated_at"])
        summary = (f"CPOMS reference corrected from {previous} to {case.cpoms_reference}"
                   if previous else f"CPOMS reference recorded: {case.cpoms_reference}")
        _event(case, actor=actor, kind="cpoms", summary=summary, reason=reason)
        audit_log(action="breaches.cpoms_recorded", actor=actor, obj=case, summary=summary,
                  changes={"cpoms_reference": [previous, case.cpoms_reference],
                           "reason": reason}, request=request)
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


