"""Writes for acknowledgements: assignments, the reading check, records, links and nudges."""

import datetime
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from acknowledgements import chain
from acknowledgements.models import (
    Acknowledgement,
    Assignment,
    Method,
    Nudge,
    Question,
    SectionView,
    UsedLink,
)
from acknowledgements.sections import (
    CLAUSE_COLUMNS,
    addendum_for,
    hold_pages,
    pages_entry,
    sections_of,
    version_immutable,
)
from audit.services import audit_event, audit_log, client_ip
from core import navcache
from core.errors import Refused
from policies import textcache
from policies.models import Clause, Policy, PolicyVersion
from policies.selectors import audience_for

LINK_SALT = "acknowledgements.signed-link"


class AcknowledgementError(Refused):
    """A domain error shown to the person as a message, never a 500."""


class NotFullyRead(AcknowledgementError):
    def __init__(self, missing: list):
        self.missing = missing
        super().__init__("Open every section of the policy before you acknowledge it.")


class WrongAnswers(AcknowledgementError):
    def __init__(self, wrong: list[Question]):
        self.wrong = wrong
        super().__init__("Some answers are not right yet. Re-read the clauses shown and try again.")


class LinkInvalid(AcknowledgementError):
    pass


class LinkExpired(LinkInvalid):
    pass


class LinkUsed(LinkInvalid):
    pass


class NudgeTooSoon(AcknowledgementError):
    pass


# --------------------------------------------------------------------------- settings


def due_days_default() -> int:
    return int(getattr(settings, "ACK_DUE_DAYS", 14))


def link_max_age_days() -> int:
    return int(getattr(settings, "ACK_LINK_MAX_AGE_DAYS", 14))


def nudge_interval_hours() -> int:
    return int(getattr(settings, "ACK_NUDGE_INTERVAL_HOURS", 72))


# --------------------------------------------------------------------------- audience


def _due_days(policy: Policy) -> int:
    return policy.acknowledgement_due_days or due_days_default()


def statement_for(version: PolicyVersion, content_hash: str) -> str:
    return (
        f"I have read and understood the {version.policy.title} (version {version.label}, "
        f"text fingerprint {content_hash[:12]}) and I will comply with it."
    )


def content_hash_for(version: PolicyVersion, academy=None, addendum=...) -> str:
    """The hash of the text this person was shown (with their academy's addendum, if any).

    ``addendum``: the approved addendum already looked up (even None), to save the query."""
    from policies.selectors import version_content_hash_for

    return (version_content_hash_for(version, academy, addendum)
            or version.compute_content_hash())


@dataclass
class Reading:
    """What one person reads of one version, worked out once per request.

    The reading pages, the acknowledge page and `acknowledgement_record` share it, so the
    clauses, the academy's addendum and the questions are each read once. For a published
    (immutable) version the pages and the addendum come from the cache (`policies.textcache`).
    The questions always come from the database: their text and correct answers go into the
    evidence record.
    """

    version: PolicyVersion
    academy_id: int | None
    addendum: object
    sections: list
    content_hash: str
    statement: str
    _questions: list | None = None

    @property
    def questions(self) -> list[Question]:
        """The version's comprehension questions (with their clause), loaded when first used."""
        if self._questions is None:
            self._questions = questions_of(self.version, self.sections)
        return self._questions


def questions_of(version: PolicyVersion, sections: list) -> list[Question]:
    """The version's questions, read from the database (never the cache: what a person is
    recorded as having answered must be what the database holds), with their clauses taken
    from the reading pages already loaded.

    A question carried from the previous version whose clause changed or vanished waits for HR
    (review_note) and is not asked until HR saves it again."""
    questions = list(Question.objects.filter(version_id=version.pk, review_note="",
                                             clause__isnull=False).order_by("order", "id"))
    wanted = {q.clause_id for q in questions}
    by_id = {}  # only the clauses the questions point to (a row's first column is its pk)
    for section in sections:
        for row in section.rows:
            if row[0] in wanted and row[0] not in by_id:
                by_id[row[0]] = Clause(**dict(zip(CLAUSE_COLUMNS, row, strict=True)))
    missing = [q for q in questions if q.clause_id not in by_id]
    if missing:  # a clause not on the pages (cannot happen, but never guess)
        by_id.update((c.pk, c) for c in Clause.objects.filter(
            pk__in=[q.clause_id for q in missing]))
    for q in questions:
        q.version = version
        q.clause = by_id[q.clause_id]
    return questions


def reading_for(version: PolicyVersion, person) -> Reading:
    """Sections, content hash and statement for this person (the questions are read from the
    database when first used).

    A published version: from the cache (no query once cached; the database when the cache is
    down), in one round trip. A version in progress: one query for the addendum (and the
    clauses)."""
    academy = person.academy if "academy" in person._state.fields_cache else person.academy_id
    academy_id = person.academy_id
    if version_immutable(version) and academy_id is not None:
        held = getattr(version, "_ack_pages", None) is not None
        entries = [textcache.addendum_entry(version, academy_id)]
        if not held:
            entries.append(pages_entry(version))
        values = textcache.read_many(entries)
        if not held:
            hold_pages(version, values[-1])
        addendum = textcache.addendum_from(version, academy_id, values[0])
    else:
        addendum = addendum_for(version, academy)
    if academy is not None and addendum is not None and not hasattr(academy, "name"):
        academy = addendum.academy
    sections = sections_of(version, academy, addendum=addendum)
    content_hash = content_hash_for(version, academy, addendum)
    return Reading(version=version, academy_id=academy_id, addendum=addendum,
                   sections=sections, content_hash=content_hash,
                   statement=statement_for(version, content_hash))


# --------------------------------------------------------------------------- assignments


def assignments_on_publish(*, version: PolicyVersion, previous: PolicyVersion | None,
                           actor=None, material: bool = True,
                           today: datetime.date | None = None) -> int:
    """Ask the audience to acknowledge a newly published version. Returns rows created.

    Material change or first version: everyone in the audience, due in N days.
    Minor change: nobody re-acknowledges: existing assignments are carried over (with the
    record that satisfied them) and the daily reminders tell people what changed.
    """
    policy = version.policy
    if not policy.requires_acknowledgement:
        return 0
    today = today or timezone.localdate()
    due = today + datetime.timedelta(days=_due_days(policy))
    people = list(audience_for(policy, today).values_list("pk", flat=True))
    carried: dict[int, Assignment] = {}
    if previous is not None and not material:
        carried = {
            a.person_id: a
            for a in Assignment.objects.filter(version=previous, person_id__in=people)
        }
    rows = []
    for person_id in people:
        old = carried.get(person_id)
        if old is not None:
            rows.append(Assignment(
                person_id=person_id, version=version, assigned_on=min(old.assigned_on, today),
                due_on=max(old.due_on, min(old.assigned_on, today)),
                source=Assignment.Source.CARRIED, acknowledgement_id=old.acknowledgement_id,
                acknowledged_at=old.acknowledged_at,
            ))
        else:
            rows.append(Assignment(person_id=person_id, version=version, assigned_on=today,
                                   due_on=due, source=Assignment.Source.PUBLISHED))
    created = Assignment.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    navcache.bump()  # everyone asked has a policy waiting on their home page
    audit_log(
        action="acknowledgements.assigned", actor=actor, obj=version,
        summary=(f"Asked {len(people)} people to acknowledge {version}" if material or not previous
                 else f"Minor change: {len(carried)} acknowledgements carried over to {version}"),
        changes={"people": len(people), "material": bool(material or previous is None),
                 "due_on": due.isoformat()},
    )
    return len(created)


def assignments_sync(*, today: datetime.date | None = None) -> int:
    """Daily job: ask joiners on their start date (due start + N days) and anyone who has
    joined a policy's audience since publication. Idempotent."""
    today = today or timezone.localdate()
    total = 0
    versions = PolicyVersion.objects.filter(
        status=PolicyVersion.Status.PUBLISHED, policy__requires_acknowledgement=True
    ).select_related("policy")
    for version in versions:
        policy = version.policy
        missing = audience_for(policy, today).exclude(
            pk__in=Assignment.objects.filter(version=version).values("person_id")
        ).values_list("pk", "start_date")
        published_on = timezone.localdate(version.published_at) if version.published_at else None
        rows = []
        for person_id, start in missing:
            joiner = start is not None and (published_on is None or start >= published_on)
            begin = start if joiner else today
            rows.append(Assignment(
                person_id=person_id, version=version, assigned_on=begin,
                due_on=begin + datetime.timedelta(days=_due_days(policy)),
                source=Assignment.Source.JOINER if joiner else Assignment.Source.AUDIENCE,
            ))
        if rows:
            with transaction.atomic():
                Assignment.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
                navcache.bump()
                audit_log(action="acknowledgements.assigned_joiners", obj=version,
                          summary=f"Asked {len(rows)} new people to acknowledge {version}",
                          changes={"people": len(rows)})
            total += len(rows)
    return total


# --------------------------------------------------------------------------- reading check


def section_record_served(*, person, version: PolicyVersion, key: str) -> None:
    """Remember that the server sent this section's text to this person.

    One INSERT; a row already there (an earlier or racing request) is kept as it is."""
    SectionView.objects.bulk_create(
        [SectionView(person_id=person.pk, version_id=version.pk, section=key)],
        ignore_conflicts=True)


def sections_seen(*, person, version: PolicyVersion) -> set[str]:
    """Keys of the sections of this version served to this person so far (one query)."""
    return set(SectionView.objects.filter(person_id=person.pk, version_id=version.pk)
               .values_list("section", flat=True))


def sections_missing(*, person, version: PolicyVersion, reading: Reading | None = None,
                     served: set[str] | None = None) -> list:
    """The sections not yet served to the person. ``served``: the keys already served, if the
    caller read them in this request (sections are only ever added, so an earlier read can
    only miss some); read here when not given."""
    if served is None:
        served = sections_seen(person=person, version=version)
    if not _reading_fits(reading, person, version):
        reading = reading_for(version, person)
    return [s for s in reading.sections if s.key not in served]


def _reading_fits(reading: Reading | None, person, version: PolicyVersion) -> bool:
    return (reading is not None and reading.version.pk == version.pk
            and reading.academy_id == person.academy_id)


def answers_check(*, version: PolicyVersion, answers: dict[int, int | None],
                  questions: list[Question] | None = None) -> list[dict]:
    """Raise WrongAnswers unless every question is answered right; return what to store.

    ``questions``: the version's questions as `questions_of` read them from the database in
    this request (never from a cache: their text and answers go into the evidence record)."""
    if questions is None:
        questions = list(version.ack_questions.select_related("clause"))
    wrong = [q for q in questions if answers.get(q.pk) != q.correct_choice]
    if wrong:
        raise WrongAnswers(wrong)
    return [{"question": q.text, "answer": q.choices[q.correct_choice]} for q in questions]


# --------------------------------------------------------------------------- records


@dataclass
class Outcome:
    record: Acknowledgement
    created: bool


def _user_agent(request) -> str:
    # PostgreSQL cannot store NUL in text: a header holding one would lose the record.
    agent = request.META.get("HTTP_USER_AGENT", "") if request is not None else ""
    return agent.replace("\x00", "")[:500]


def acknowledgement_record(
    *, assignment: Assignment, method: str, request=None, answers: list | None = None,
    recorded_by=None, attestation: str = "", link_nonce: str = "", check_reading: bool = True,
    reading: Reading | None = None, served: set[str] | None = None,
) -> Outcome:
    """Append the evidence record, once. A second (or racing) attempt returns the first.

    Records are appended to the hash chain one at a time (`chain.append`, which also marks
    the request done and writes the audit event); everything else is worked out before.
    ``reading``: what the caller already worked out for this person and version
    (`reading_for`); worked out here when not given. ``served``: as for `sections_missing`.
    """
    person = assignment.person
    version = assignment.version
    if version.status != PolicyVersion.Status.PUBLISHED:
        raise AcknowledgementError("This version is no longer in force; nothing to acknowledge.")
    if method == Method.ON_BEHALF and (recorded_by is None or not attestation.strip()):
        raise AcknowledgementError("A record on someone's behalf needs the manager's attestation.")
    if not _reading_fits(reading, person, version):
        reading = reading_for(version, person)
    if check_reading and method != Method.ON_BEHALF:
        missing = sections_missing(person=person, version=version, reading=reading,
                                   served=served)
        if missing:
            raise NotFullyRead(missing)
    acknowledged_at = timezone.now().replace(microsecond=0)
    record = Acknowledgement(
        person=person, person_name=person.full_name, person_email=person.email,
        version=version, content_hash=reading.content_hash, statement=reading.statement,
        answers=answers or [], acknowledged_at=acknowledged_at, ip_address=client_ip(request),
        user_agent=_user_agent(request), method=method, recorded_by=recorded_by,
        attestation=attestation.strip(),
    )
    event = audit_event(
        action=("acknowledgements.recorded_on_behalf" if method == Method.ON_BEHALF
                else "acknowledgements.acknowledged"),
        actor=recorded_by or (person if person.is_active else None), obj=assignment,
        summary=f"{person.full_name} acknowledged {version} ({Method(method).label})",
        changes={"method": method, "content_hash": reading.content_hash}, request=request,
    )
    try:
        # No "already recorded?" read first: the unique person+version rule refuses a second
        # record, and nothing of this attempt is written.
        chain.append(record, assignment=assignment, event=event, link_nonce=link_nonce)
    except IntegrityError:
        existing = Acknowledgement.objects.filter(person=person, version=version).first()
        if existing is not None:  # another request recorded it first
            return Outcome(existing, False)
        if link_nonce and UsedLink.objects.filter(nonce=link_nonce).exists():
            raise LinkUsed("This link has already been used.") from None
        raise
    # The record's save bumped the cached figures and the person's home page
    # (acknowledgements.compliance_cache).
    return Outcome(record, True)


# --------------------------------------------------------------------------- signed links


def signed_link_token(assignment: Assignment) -> str:
    payload = {"a": assignment.pk, "p": assignment.person_id, "v": assignment.version_id,
               "n": secrets.token_urlsafe(12)}
    return signing.dumps(payload, salt=LINK_SALT, compress=False)


def signed_link_url(assignment: Assignment) -> str:
    """Site-relative URL of a signed, expiring, single-use link for this person and version.

    Relative, like every notification url (the email adds settings.SITE_URL)."""
    return reverse("acknowledgements:link", args=[signed_link_token(assignment)])


def link_read(token: str) -> tuple[Assignment, str]:
    """The assignment and nonce a link is for; raises LinkInvalid / LinkExpired / LinkUsed."""
    max_age = datetime.timedelta(days=link_max_age_days())
    try:
        payload = signing.loads(token, salt=LINK_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkExpired("This link has expired. Sign in to the portal, or ask HR for a new "
                          "link.") from None
    except signing.BadSignature:
        raise LinkInvalid("This link is not valid. Check that you copied all of it.") from None
    try:
        assignment = Assignment.objects.select_related(
            "person", "person__academy", "version", "version__policy"
        ).get(pk=payload["a"], person_id=payload["p"], version_id=payload["v"])
    except (Assignment.DoesNotExist, KeyError, TypeError):
        raise LinkInvalid("This link is not valid.") from None
    nonce = str(payload.get("n", ""))
    if not nonce or UsedLink.objects.filter(nonce=nonce).exists():
        raise LinkUsed("This link has already been used. Each link works once.")
    return assignment, nonce


def token_only_allowed(assignment: Assignment) -> bool:
    """May this person acknowledge from the link alone, without signing in?"""
    person = assignment.person
    return assignment.version.policy.allow_token_only and (
        not person.portal_access or not person.has_usable_password()
    )


# --------------------------------------------------------------------------- nudges


def nudge_send(*, assignment: Assignment, sender, message: str = "", request=None) -> Nudge:
    if assignment.is_done:
        raise AcknowledgementError(f"{assignment.person} has already acknowledged it.")
    since = timezone.now() - datetime.timedelta(hours=nudge_interval_hours())
    with transaction.atomic():
        # Lock the assignment so two clicks cannot both pass the rate limit.
        Assignment.objects.select_for_update().filter(pk=assignment.pk).first()
        last = assignment.nudges.filter(sent_at__gte=since).first()
        if last is not None:
            raise NudgeTooSoon(
                f"{assignment.person} was reminded on "
                f"{timezone.localtime(last.sent_at):%d/%m/%Y at %H:%M}. You can send another "
                f"reminder {nudge_interval_hours() // 24} days after that."
            )
        nudge = Nudge.objects.create(assignment=assignment, sender=sender, message=message.strip())
        from notifications.services import notify

        version = assignment.version
        notify(
            recipient=assignment.person, kind="ack.nudge",
            title=f"{sender.full_name} asks you to acknowledge the {version.policy.title}",
            body=(message.strip() or "Please read and acknowledge the policy.")
            + f"\n\nDue by {assignment.due_on:%d/%m/%Y}.",
            url=signed_link_url(assignment), about=assignment, period=f"nudge-{nudge.pk}",
        )
        audit_log(action="acknowledgements.nudged", actor=sender, obj=assignment,
                  summary=f"Reminded {assignment.person} to acknowledge {version}",
                  changes={"nudge": nudge.pk}, request=request)
    return nudge


# --------------------------------------------------------------------------- questions


def question_save(*, version: PolicyVersion, actor, text: str, choices: list[str],
                  correct_choice: int, clause, order: int = 1,
                  question: Question | None = None, request=None) -> Question:
    if len(choices) < 2:
        raise AcknowledgementError("Give at least two possible answers.")
    if not 0 <= correct_choice < len(choices):
        raise AcknowledgementError("The correct answer must be one of the answers given.")
    if clause.version_id != version.pk:
        raise AcknowledgementError("The clause must be in this version.")
    with transaction.atomic():
        creating = question is None
        question = question or Question(version=version)
        before = {"text": question.text, "choices": question.choices,
                  "correct_choice": question.correct_choice} if not creating else {}
        question.text, question.choices = text.strip(), choices
        question.correct_choice, question.clause, question.order = correct_choice, clause, order
        question.review_note = ""  # HR has checked it (a carried question's flag)
        question.full_clean()
        question.save()
        audit_log(action="acknowledgements.question_added" if creating
                  else "acknowledgements.question_changed",
                  actor=actor, obj=version, summary=f"Question: {question.text}",
                  changes={"before": before, "after": {"text": question.text,
                                                       "choices": choices,
                                                       "correct_choice": correct_choice,
                                                       "clause": clause.number}},
                  request=request)
    return question


def question_delete(*, question: Question, actor, request=None) -> None:
    with transaction.atomic():
        audit_log(action="acknowledgements.question_removed", actor=actor, obj=question.version,
                  summary=f"Question removed: {question.text}",
                  changes={"text": question.text, "choices": question.choices}, request=request)
        question.delete()


def policy_token_only_set(*, policy: Policy, allowed: bool, actor, request=None) -> None:
    with transaction.atomic():
        before = policy.allow_token_only
        Policy.objects.filter(pk=policy.pk).update(allow_token_only=allowed)
        policy.allow_token_only = allowed
        audit_log(action="acknowledgements.token_only_changed", actor=actor, obj=policy,
                  summary=("Allowed" if allowed else "Stopped")
                  + f" acknowledgement from a signed link alone for {policy}",
                  changes={"allow_token_only": [before, allowed]}, request=request)


# --------------------------------------------------------------------------- chain head notice


def head_notice_send(*, now=None) -> int:
    """Send HR and the Board the current chain head, signed with the chain key (weekly).

    Their mailboxes are out of the database owner's reach: a head sent there can later be
    checked with ``verify_acknowledgements --head HASH --signature SIG``. Once per ISO week
    (a retried task sends nothing twice). Returns how many people were told."""
    from accounts.permissions import BOARD, HR
    from notifications.services import notify

    now = timezone.localtime(now or timezone.now())
    head = chain.current_head()
    year, week, _ = now.isocalendar()
    people = User.objects.filter(role__in=[HR, BOARD], is_active=True).order_by("pk")
    body = (
        f"On {now:%d/%m/%Y at %H:%M} the acknowledgement chain ended at record "
        f"#{head.sequence}.\n\n"
        f"Chain head (keyed hash of record #{head.sequence}):\n{head.record_hash}\n\n"
        f"Signature of this head:\n{head.signature}\n\n"
        "Keep this email. Whoever holds the portal's chain key can check at any later date "
        "that no acknowledgement recorded up to now has been changed or removed, even by "
        "someone with full access to the database:\n"
        f"python manage.py verify_acknowledgements --head {head.record_hash} "
        f"--signature {head.signature}"
    )
    told = 0
    with transaction.atomic():
        for person in people:
            if notify(recipient=person, kind="ack.chain_head",
                      title=f"Acknowledgement chain head, week {week} of {year}", body=body,
                      period=f"{year}-W{week:02}",
                      reason="you are HR or on the Trust Board, who keep the evidence that "
                             "acknowledgements were not altered") is not None:
                told += 1
        if told:
            audit_log(action="acknowledgements.chain_head_published",
                      summary=f"Sent the acknowledgement chain head (record #{head.sequence}) "
                              f"to {told} people in HR and on the Board",
                      changes={"sequence": head.sequence, "record_hash": head.record_hash,
                               "people": told})
    return told
