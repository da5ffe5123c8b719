"""Tell people about things. Every app calls `notify()`; nothing else sends reminders.

How an email gets out (the outbox pattern):
1. `notify()` writes a Notification row (email_state "new") in the caller's transaction.
2. After commit it queues `send_notification_email`; if the broker is down, nothing is lost:
   `flush_outbox` (every minute, from beat) routes every row still "new".
3. Routing looks at urgency and the person's preference: urgent or "immediate" gets its own
   Delivery (the delivery log) and is sent at once; "daily" waits for the daily summary;
   "portal" is never emailed.
4. `delivery_send()` claims a Delivery with a conditional update, so only one worker sends it;
   failures are retried with back-off and shown to administrators.
"""

import contextlib
import contextvars
import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core import navcache
from core.errors import Refused
from core.mail import render_subject
from notifications.kinds import (
    DAILY,
    EMAILED_AT_ONCE,
    GROUPS,
    IMMEDIATE,
    PORTAL_ONLY,
    explain,
    group_for_kind,
)
from notifications.models import Delivery, Notification, Preference

log = logging.getLogger(__name__)

#: Attempts before a failing email is abandoned (and left for an administrator to retry).
MAX_ATTEMPTS = 5
#: A delivery claimed longer ago than this by a worker that never finished is retried.
STALE_CLAIM = timedelta(minutes=15)

_queue_deferred: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "notifications_queue_deferred", default=False
)


def notify(
    *,
    recipient,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    about: models.Model | None = None,
    period: str = "",
    urgent: bool = False,
    reason: str = "",
) -> Notification | None:
    """Record a notification once per (recipient, kind, about, period) and queue its email.

    Returns None when the same notification already exists (so callers may retry freely).
    Call it inside the transaction of the change it reports: the row commits with it, and the
    email is queued only after commit.
    """
    if recipient is None or not recipient.is_active:
        return None
    about_type = about._meta.label_lower if about is not None else ""
    about_id = str(about.pk) if about is not None else ""
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient, kind=kind[:60], title=title[:300], body=body,
                url=url[:500], about_type=about_type, about_id=about_id, period=period[:40],
                urgent=urgent, reason=reason,
            )
    except IntegrityError:
        return None
    navcache.bump_people([recipient.pk])
    if not _queue_deferred.get():
        transaction.on_commit(lambda: _queue_email(notification.pk))
    return notification


def notifications_mark_read(*, recipient, pk: int | None = None) -> int:
    """Mark the recipient's unread notification ``pk`` (None: all of them) read; how many were.
    Their badge and home page follow at once."""
    unread = Notification.objects.filter(recipient=recipient, read_at__isnull=True)
    count = (unread.filter(pk=pk) if pk is not None else unread).update(read_at=timezone.now())
    if count:
        navcache.bump_people([recipient.pk])
    return count


def notifications_done(*, about: models.Model, kinds: list[str]) -> int:
    """The action these notifications asked for has been taken (by whoever took it): every
    recipient's unread one about `about` is marked read, and one still waiting for an email
    (routing or the daily summary) is not emailed. Returns how many were still unread."""
    about_type, about_id = about._meta.label_lower, str(about.pk)
    rows = Notification.objects.filter(about_type=about_type, about_id=about_id, kind__in=kinds)
    State = Notification.EmailState
    rows.filter(email_state__in=[State.NEW, State.DIGEST]).update(email_state=State.NONE)
    unread = rows.filter(read_at__isnull=True)
    people = list(unread.values_list("recipient_id", flat=True).distinct())
    count = unread.update(read_at=timezone.now())
    if people:
        navcache.bump_people(people)
    return count


def notifications_record(*, reminders: list) -> int:
    """notify() for many reminders at once (the daily sweep); returns how many were new.

    Rows that already exist are skipped by the database (ON CONFLICT DO NOTHING on the unique
    rule), so a concurrent sweep or a re-run adds nothing. Routing and email follow in bulk
    (route_pending), not a task per row.
    """
    rows = [
        Notification(
            recipient=r.recipient, kind=r.kind[:60], title=r.title[:300], body=r.body,
            url=r.url[:500],
            about_type=r.about._meta.label_lower if r.about is not None else "",
            about_id=str(r.about.pk) if r.about is not None else "",
            period=r.period[:40], urgent=r.urgent, reason=r.reason,
        )
        for r in reminders if r.recipient is not None and r.recipient.is_active
    ]
    if not rows:
        return 0
    before = _count_matching(rows)
    with transaction.atomic():
        Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        after = _count_matching(rows)
        navcache.bump_people({n.recipient_id for n in rows})
    return max(after - before, 0)


def _count_matching(rows: list[Notification]) -> int:
    return Notification.objects.filter(
        recipient_id__in={n.recipient_id for n in rows}, kind__in={n.kind for n in rows},
        period__in={n.period for n in rows}, created_at__isnull=False,
        about_id__in={n.about_id for n in rows},
    ).count()


@contextlib.contextmanager
def queue_deferred():
    """Inside this block notify() does not queue a task per row; the caller routes in bulk."""
    token = _queue_deferred.set(True)
    try:
        yield
    finally:
        _queue_deferred.reset(token)


def _queue_email(notification_id: int) -> None:
    from notifications.tasks import send_notification_email

    try:
        send_notification_email.delay(notification_id)
    except Exception:  # broker down: the row stays "new" and flush_outbox sends it later
        log.warning("Broker unavailable; notification %s kept for the outbox flush",
                    notification_id, exc_info=True)


# --- preferences -------------------------------------------------------------------------

def preferences_for(user) -> dict[str, str]:
    """Every group's choice for this person (defaults filled in)."""
    chosen = dict(Preference.objects.filter(user=user).values_list("group", "choice"))
    return {
        code: chosen[code] if chosen.get(code) in group.choices else group.default
        for code, group in GROUPS.items()
    }


class NotificationError(Refused, ValueError):
    """A choice or a retry that is not allowed; the message is for the person."""


def preferences_update(*, user, choices: dict[str, str], request=None) -> dict[str, str]:
    """Save a person's choices; refuses a choice a group does not allow."""
    from audit.services import audit_log

    before = preferences_for(user)
    for code, choice in choices.items():
        group = GROUPS.get(code)
        if group is None:
            raise NotificationError(f"Unknown notification group {code!r}.")
        if choice not in group.choices:
            raise NotificationError(f"{group.label}: that choice is not allowed.")
    changed = {code: [before[code], choice] for code, choice in choices.items()
               if before[code] != choice}
    with transaction.atomic():
        for code, choice in choices.items():
            Preference.objects.update_or_create(user=user, group=code,
                                                defaults={"choice": choice})
        if changed:
            audit_log(action="notifications.preferences_changed", actor=user, obj=user,
                      summary="Changed how they receive notifications", changes=changed,
                      request=request)
    return preferences_for(user)


def _channel(notification: Notification, prefs: dict[str, str]) -> str:
    if not notification.recipient.is_active or not notification.recipient.email:
        return PORTAL_ONLY
    if notification.urgent or notification.kind in EMAILED_AT_ONCE:
        return IMMEDIATE
    return prefs.get(group_for_kind(notification.kind).code, DAILY)


# --- routing -----------------------------------------------------------------------------

def _delivery_for(notification: Notification) -> Delivery:
    lookup = dict(
        recipient_id=notification.recipient_id, kind=notification.kind,
        subject_type=notification.about_type, subject_id=notification.about_id,
        period=notification.period,
    )
    try:
        with transaction.atomic():
            return Delivery.objects.create(
                **lookup, email_subject=notification.title,
                to_address=notification.recipient.email,
            )
    except IntegrityError:
        return Delivery.objects.get(**lookup)


def notification_route(*, notification_id: int) -> Delivery | None:
    """Decide how a new notification is emailed; returns the Delivery to send now, if any."""
    notification = (Notification.objects.select_related("recipient")
                    .filter(pk=notification_id).first())
    if notification is None or notification.email_state != Notification.EmailState.NEW:
        return None
    channel = _channel(notification, preferences_for(notification.recipient))
    return _route(notification, channel)


def _route(notification: Notification, channel: str) -> Delivery | None:
    State = Notification.EmailState
    if channel == IMMEDIATE:
        delivery = _delivery_for(notification)
        Notification.objects.filter(pk=notification.pk, email_state=State.NEW).update(
            email_state=State.IMMEDIATE, delivery=delivery
        )
        return delivery
    state = State.DIGEST if channel == DAILY else State.NONE
    Notification.objects.filter(pk=notification.pk, email_state=State.NEW).update(
        email_state=state
    )
    return None


def route_pending(*, send: bool = True, batch_size: int = 500) -> int:
    """Route every notification still "new" (after a sweep, or when the broker was down).

    Works in batches, each in one transaction; returns the number of emails sent.
    """
    sent = 0
    last_pk = 0
    while True:
        batch = list(Notification.objects.filter(email_state=Notification.EmailState.NEW,
                                                 pk__gt=last_pk)
                     .select_related("recipient").order_by("pk")[:batch_size])
        if not batch:
            return sent
        last_pk = batch[-1].pk
        with transaction.atomic():
            delivery_ids = _route_batch(batch)
        if send and delivery_ids:
            sent += deliveries_send(delivery_ids=delivery_ids)


def _route_batch(batch: list[Notification]) -> list[int]:
    State = Notification.EmailState
    prefs: dict[int, dict[str, str]] = {}
    chosen = Preference.objects.filter(user_id__in={n.recipient_id for n in batch})
    for user_id, group, choice in chosen.values_list("user_id", "group", "choice"):
        prefs.setdefault(user_id, {})[group] = choice
    immediate, digest_ids, none_ids = [], [], []
    for notification in batch:
        mine = prefs.get(notification.recipient_id, {})
        person = {code: mine[code] if mine.get(code) in g.choices else g.default
                  for code, g in GROUPS.items()}
        channel = _channel(notification, person)
        if channel == IMMEDIATE:
            immediate.append(notification)
        elif channel == DAILY:
            digest_ids.append(notification.pk)
        else:
            none_ids.append(notification.pk)
    Notification.objects.filter(pk__in=digest_ids, email_state=State.NEW).update(
        email_state=State.DIGEST)
    Notification.objects.filter(pk__in=none_ids, email_state=State.NEW).update(
        email_state=State.NONE)
    if not immediate:
        return []
    Delivery.objects.bulk_create([
        Delivery(recipient_id=n.recipient_id, kind=n.kind, subject_type=n.about_type,
                 subject_id=n.about_id, period=n.period, email_subject=n.title,
                 to_address=n.recipient.email)
        for n in immediate
    ], ignore_conflicts=True)
    keys = {(n.recipient_id, n.kind, n.about_type, n.about_id, n.period): n for n in immediate}
    found = Delivery.objects.filter(
        recipient_id__in={k[0] for k in keys}, kind__in={k[1] for k in keys},
        period__in={k[4] for k in keys},
    ).values_list("pk", "recipient_id", "kind", "subject_type", "subject_id", "period")
    delivery_ids, routed = [], []
    for pk, *key in found:
        notification = keys.get(tuple(key))
        if notification is None:
            continue
        notification.email_state, notification.delivery_id = State.IMMEDIATE, pk
        routed.append(notification)
        delivery_ids.append(pk)
    # Any router reaching this point links the same delivery (the unique rule made it one).
    Notification.objects.bulk_update(routed, ["email_state", "delivery"], batch_size=500)
    return delivery_ids


# --- sending -----------------------------------------------------------------------------

def backoff(attempts: int) -> timedelta:
    """1, 4, 16, 64 minutes, then about four hours."""
    return timedelta(minutes=4 ** max(attempts - 1, 0))


def _absolute(url: str) -> str:
    if not url:
        return ""
    if url.startswith(("http://", "https://")):
        return url
    return f"{settings.SITE_URL}{url}"


def _render(delivery: Delivery, items: list[Notification] | None = None,
            unread: int | None = None) -> tuple[str, str, str, list[int]]:
    if delivery.recipient_id is None:  # to an address outside the portal: its own text
        return delivery.email_subject, delivery.body, "", []
    site = settings.SITE_URL
    common = {
        "person": delivery.recipient,
        "site_url": site,
        "trust_name": settings.TRUST_NAME,
        "preferences_url": f"{site}{reverse('notifications:preferences')}",
        "list_url": f"{site}{reverse('notifications:list')}",
    }
    if delivery.is_digest:
        if items is None:
            items = list(delivery.notifications.all())
        items = sorted(items, key=lambda n: (not n.urgent, n.created_at, n.pk))
        for item in items:
            item.link = _absolute(item.url)
        if unread is None:
            unread = (Notification.objects.filter(recipient=delivery.recipient,
                                                  read_at__isnull=True).count())
        context = {**common, "items": items, "unread_count": unread,
                   "day": date.fromisoformat(delivery.period) if delivery.period else None}
        name = "digest"
        if not items:
            raise LookupError("This daily summary has nothing in it.")
    else:
        notification = items[0] if items else delivery.notifications.first()
        if notification is None:
            raise LookupError("This delivery has no notification to send.")
        context = {**common, "notification": notification, "link": _absolute(notification.url),
                   "group": group_for_kind(notification.kind),
                   "why": explain(notification.kind)}
        name = "notification"
        items = [notification]
    subject = render_subject(f"notifications/email/{name}_subject.txt", context)[:300]
    text = render_to_string(f"notifications/email/{name}.txt", context)
    html = render_to_string(f"notifications/email/{name}.html", context)
    return subject, text, html, [item.pk for item in items]


def delivery_send(*, delivery_id: int) -> int:
    """Send one delivery if this worker can claim it. Returns 1 if an email went out."""
    return deliveries_send(delivery_ids=[delivery_id])


def _claim(delivery_ids: list[int]) -> list[int]:
    """Move claimable deliveries to "sending" for this worker only; returns the claimed IDs.

    Rows another worker holds are skipped (SKIP LOCKED on PostgreSQL); the conditional update
    re-checks the status, so a row is claimed by one worker at most.
    """
    now = timezone.now()
    claimable = Q(status=Delivery.Status.PENDING) | Q(
        status=Delivery.Status.FAILED, next_attempt_at__lte=now
    )
    with transaction.atomic():
        candidates = Delivery.objects.filter(claimable, pk__in=delivery_ids)
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("pk", flat=True))
        if ids:
            Delivery.objects.filter(claimable, pk__in=ids).update(
                status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
            )
    return ids


def deliveries_send(*, delivery_ids: list[int], batch_size: int = 200) -> int:
    """Claim and send these deliveries over one mail connection per batch. Returns emails sent."""
    sent = 0
    for start in range(0, len(delivery_ids), batch_size):
        claimed = _claim(delivery_ids[start:start + batch_size])
        if claimed:
            sent += _send_claimed(claimed)
    return sent


def _send_claimed(claimed: list[int]) -> int:
    deliveries = list(Delivery.objects.select_related("recipient").filter(pk__in=claimed))
    carried: dict[int, list[Notification]] = {}
    for item in Notification.objects.filter(delivery_id__in=claimed):
        carried.setdefault(item.delivery_id, []).append(item)
    unread = dict(
        Notification.objects.filter(
            recipient_id__in={d.recipient_id for d in deliveries if d.is_digest},
            read_at__isnull=True,
        ).order_by().values_list("recipient_id").annotate(n=Count("pk"))
    )
    mail = get_connection(fail_silently=False)
    try:
        mail.open()
    except Exception as exc:  # the mail server is unreachable: every email in the batch waits
        for delivery in deliveries:
            _record_failure(delivery, exc)
        return 0
    # Each email is marked sent in the same transaction as its sending: with the database
    # outbox the email and its mark commit together; with SMTP an email the server accepted is
    # marked at once, so a worker killed mid-batch re-sends at most the one email in hand.
    sent = 0
    try:
        for delivery in deliveries:
            try:
                with transaction.atomic():
                    subject, text, html, included = _render(
                        delivery, carried.get(delivery.pk, []),
                        unread.get(delivery.recipient_id, 0))
                    message = EmailMultiAlternatives(
                        subject=subject, body=text, to=[delivery.address], connection=mail)
                    if html:
                        message.attach_alternative(html, "text/html")
                    message.send()
                    _mark_sent([(delivery, subject, included)])
            except Exception as exc:  # record it, back off, let an administrator see it
                _record_failure(delivery, exc)
            else:
                sent += 1
    finally:
        mail.close()
    return sent


def _mark_sent(done: list[tuple[Delivery, str, list[int]]]) -> None:
    sent_at = timezone.now()
    for delivery, subject, _ in done:
        delivery.status, delivery.sent_at, delivery.email_subject = "sent", sent_at, subject
        delivery.to_address, delivery.last_error, delivery.next_attempt_at = (
            delivery.address, "", None)
    with transaction.atomic():
        Delivery.objects.bulk_update(
            [d for d, _, _ in done],
            ["status", "sent_at", "email_subject", "to_address", "last_error", "next_attempt_at"],
            batch_size=500,
        )
        included = [pk for _, _, ids in done for pk in ids]
        for start in range(0, len(included), 1000):
            Notification.objects.filter(pk__in=included[start:start + 1000]).update(
                emailed_at=sent_at)
        digests = [d.pk for d, _, _ in done if d.is_digest]
        if digests:  # anything attached while a summary was being sent waits for the next one
            Notification.objects.filter(delivery_id__in=digests).exclude(
                pk__in=included).update(delivery=None, email_state=Notification.EmailState.DIGEST)


def _record_failure(delivery: Delivery, exc: Exception) -> None:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    give_up = delivery.attempts >= MAX_ATTEMPTS
    log.warning("Email %s to %s failed (attempt %s): %s", delivery.pk, delivery.address,
                delivery.attempts, error)
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.ABANDONED if give_up else Delivery.Status.FAILED,
        last_error=error,
        next_attempt_at=None if give_up else timezone.now() + backoff(delivery.attempts),
    )
    if give_up:
        from audit.services import audit_log

        audit_log(action="notifications.delivery_abandoned", obj=delivery,
                  summary=f"Gave up emailing {delivery.address} after "
                          f"{delivery.attempts} attempts: {error}")


def delivery_retry(*, delivery: Delivery, actor, request=None) -> None:
    """An administrator asks for a failed or abandoned email to be tried again now."""
    from audit.services import audit_log

    if delivery.status not in (Delivery.Status.FAILED, Delivery.Status.ABANDONED):
        raise NotificationError("Only a failed email can be retried.")
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk, status=delivery.status).update(
            status=Delivery.Status.PENDING, next_attempt_at=None, attempts=0
        )
        audit_log(action="notifications.delivery_retried", actor=actor, obj=delivery,
                  summary=f"Asked for the email to {delivery.to_address or delivery.recipient}"
                          " to be sent again", request=request)
    transaction.on_commit(lambda: queue_delivery(delivery.pk))


def queue_delivery(delivery_id: int) -> None:
    from notifications.tasks import send_delivery

    try:
        send_delivery.delay(delivery_id)
    except Exception:
        log.warning("Broker unavailable; delivery %s left for the outbox flush", delivery_id)


def flush_outbox() -> int:
    """Send whatever is waiting: rows the broker never saw, due retries, stale claims."""
    now = timezone.now()
    Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lt=now - STALE_CLAIM
                            ).update(status=Delivery.Status.FAILED, next_attempt_at=now,
                                     last_error="The worker stopped while sending.")
    sent = route_pending()
    due = (
        Delivery.objects.filter(
            Q(status=Delivery.Status.PENDING, created_at__lt=now - timedelta(minutes=1))
            | Q(status=Delivery.Status.FAILED, next_attempt_at__lte=now)
        )
        .exclude(Q(kind=Delivery.DIGEST) & Q(notifications__isnull=True))
        .order_by("pk").values_list("pk", flat=True).distinct()
    )
    return sent + deliveries_send(delivery_ids=list(due))


# --- the daily summary -------------------------------------------------------------------

def digests_send(*, today: date) -> int:
    """One email per person with everything waiting for the daily summary. Returns emails sent.

    The summary for a day is one Delivery (kind "digest", period = the date): running this twice
    the same day sends nothing more; items arriving after it was sent wait for tomorrow's.
    """
    State = Notification.EmailState
    period = today.isoformat()
    # Already read in the portal: nothing to tell them by email.
    Notification.objects.filter(email_state=State.DIGEST, read_at__isnull=False).update(
        email_state=State.NONE
    )
    recipients = list(Notification.objects.filter(email_state=State.DIGEST, read_at__isnull=True)
                      .order_by("recipient_id").values_list("recipient_id", flat=True)
                      .distinct())
    if not recipients:
        return 0
    from accounts.models import User

    emails = dict(User.objects.filter(pk__in=recipients).values_list("pk", "email"))
    Delivery.objects.bulk_create(
        [Delivery(recipient_id=pk, kind=Delivery.DIGEST, period=period, to_address=emails[pk])
         for pk in recipients],
        ignore_conflicts=True, batch_size=1000,
    )
    open_digests = dict(
        Delivery.objects.filter(kind=Delivery.DIGEST, period=period, recipient_id__in=recipients,
                                status=Delivery.Status.PENDING)
        .values_list("recipient_id", "pk")
    )
    todays = Delivery.objects.filter(kind=Delivery.DIGEST, period=period,
                                     recipient_id=OuterRef("recipient_id"),
                                     status=Delivery.Status.PENDING)
    Notification.objects.filter(
        email_state=State.DIGEST, read_at__isnull=True, recipient_id__in=list(open_digests)
    ).update(email_state=State.DIGESTED, delivery_id=Subquery(todays.values("pk")[:1]))
    return deliveries_send(delivery_ids=sorted(open_digests.values()))
