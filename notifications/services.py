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
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from notifications.kinds import DAILY, GROUPS, IMMEDIATE, PORTAL_ONLY, group_for_kind
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
    if not _queue_deferred.get():
        transaction.on_commit(lambda: _queue_email(notification.pk))
    return notification


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


def preferences_update(*, user, choices: dict[str, str], request=None) -> dict[str, str]:
    """Save a person's choices; refuses a choice a group does not allow."""
    from audit.services import audit_log

    before = preferences_for(user)
    for code, choice in choices.items():
        group = GROUPS.get(code)
        if group is None:
            raise ValueError(f"Unknown notification group {code!r}.")
        if choice not in group.choices:
            raise ValueError(f"{group.label}: that choice is not allowed.")
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
    if notification.urgent:
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


def route_pending(*, send: bool = True) -> int:
    """Route every notification still "new" (after a sweep, or when the broker was down).

    Returns the number of emails sent.
    """
    State = Notification.EmailState
    pending = list(Notification.objects.filter(email_state=State.NEW)
                   .select_related("recipient").order_by("pk"))
    if not pending:
        return 0
    prefs: dict[int, dict[str, str]] = {}
    chosen = Preference.objects.filter(recipient_filter(pending))
    for user_id, group, choice in chosen.values_list("user_id", "group", "choice"):
        prefs.setdefault(user_id, {})[group] = choice
    digest_ids, none_ids, deliveries = [], [], []
    for notification in pending:
        person = {code: (prefs.get(notification.recipient_id, {}).get(code)
                         if prefs.get(notification.recipient_id, {}).get(code) in g.choices
                         else g.default) for code, g in GROUPS.items()}
        channel = _channel(notification, person)
        if channel == IMMEDIATE:
            deliveries.append(_route(notification, channel))
        elif channel == DAILY:
            digest_ids.append(notification.pk)
        else:
            none_ids.append(notification.pk)
    for ids, state in ((digest_ids, State.DIGEST), (none_ids, State.NONE)):
        for start in range(0, len(ids), 1000):
            Notification.objects.filter(pk__in=ids[start:start + 1000],
                                        email_state=State.NEW).update(email_state=state)
    sent = 0
    if send:
        for delivery in deliveries:
            sent += delivery_send(delivery_id=delivery.pk)
    return sent


def recipient_filter(notifications: list[Notification]) -> Q:
    return Q(user_id__in={n.recipient_id for n in notifications})


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


def _render(delivery: Delivery) -> tuple[str, str, str, list[int]]:
    site = settings.SITE_URL
    common = {
        "person": delivery.recipient,
        "site_url": site,
        "trust_name": settings.TRUST_NAME,
        "preferences_url": f"{site}{reverse('notifications:preferences')}",
        "list_url": f"{site}{reverse('notifications:list')}",
    }
    if delivery.is_digest:
        items = list(delivery.notifications.order_by("-urgent", "created_at", "pk"))
        for item in items:
            item.link = _absolute(item.url)
        unread = (Notification.objects.filter(recipient=delivery.recipient, read_at__isnull=True)
                  .count())
        context = {**common, "items": items, "unread_count": unread,
                   "day": date.fromisoformat(delivery.period) if delivery.period else None}
        name = "digest"
        if not items:
            raise LookupError("This daily summary has nothing in it.")
    else:
        notification = delivery.notifications.first()
        if notification is None:
            raise LookupError("This delivery has no notification to send.")
        context = {**common, "notification": notification, "link": _absolute(notification.url),
                   "group": group_for_kind(notification.kind)}
        name = "notification"
        items = [notification]
    subject = render_to_string(f"notifications/email/{name}_subject.txt", context)
    subject = " ".join(subject.split())[:300]
    text = render_to_string(f"notifications/email/{name}.txt", context)
    html = render_to_string(f"notifications/email/{name}.html", context)
    return subject, text, html, [item.pk for item in items]


def delivery_send(*, delivery_id: int) -> int:
    """Send one delivery if this worker can claim it. Returns 1 if an email went out."""
    now = timezone.now()
    claimable = Q(status=Delivery.Status.PENDING) | Q(
        status=Delivery.Status.FAILED, next_attempt_at__lte=now
    )
    claimed = Delivery.objects.filter(claimable, pk=delivery_id).update(
        status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return 0
    delivery = Delivery.objects.select_related("recipient").get(pk=delivery_id)
    try:
        subject, text, html, included = _render(delivery)
        message = EmailMultiAlternatives(subject=subject, body=text,
                                         to=[delivery.recipient.email])
        message.attach_alternative(html, "text/html")
        message.send()
    except Exception as exc:  # any failure: record it, back off, let an administrator see it
        _record_failure(delivery, exc)
        return 0
    sent_at = timezone.now()
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.SENT, sent_at=sent_at, email_subject=subject,
        to_address=delivery.recipient.email, last_error="", next_attempt_at=None,
    )
    Notification.objects.filter(pk__in=included).update(emailed_at=sent_at)
    if delivery.is_digest:  # anything attached while this was being sent waits for tomorrow
        Notification.objects.filter(delivery=delivery).exclude(pk__in=included).update(
            delivery=None, email_state=Notification.EmailState.DIGEST
        )
    return 1


def _record_failure(delivery: Delivery, exc: Exception) -> None:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    give_up = delivery.attempts >= MAX_ATTEMPTS
    log.warning("Email %s to %s failed (attempt %s): %s", delivery.pk,
                delivery.recipient.email, delivery.attempts, error)
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.ABANDONED if give_up else Delivery.Status.FAILED,
        last_error=error,
        next_attempt_at=None if give_up else timezone.now() + backoff(delivery.attempts),
    )
    if give_up:
        from audit.services import audit_log

        audit_log(action="notifications.delivery_abandoned", obj=delivery,
                  summary=f"Gave up emailing {delivery.recipient.email} after "
                          f"{delivery.attempts} attempts: {error}")


def delivery_retry(*, delivery: Delivery, actor, request=None) -> None:
    """An administrator asks for a failed or abandoned email to be tried again now."""
    from audit.services import audit_log

    if delivery.status not in (Delivery.Status.FAILED, Delivery.Status.ABANDONED):
        raise ValueError("Only a failed email can be retried.")
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk, status=delivery.status).update(
            status=Delivery.Status.PENDING, next_attempt_at=None, attempts=0
        )
        audit_log(action="notifications.delivery_retried", actor=actor, obj=delivery,
                  summary=f"Asked for the email to {delivery.to_address or delivery.recipient}"
                          " to be sent again", request=request)
    transaction.on_commit(lambda: _queue_delivery(delivery.pk))


def _queue_delivery(delivery_id: int) -> None:
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
        .values_list("pk", flat=True).distinct()
    )
    for delivery_id in list(due):
        sent += delivery_send(delivery_id=delivery_id)
    return sent


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
    recipients = list(Notification.objects.filter(email_state=State.DIGEST)
                      .values_list("recipient_id", flat=True).distinct())
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
    sent = 0
    for recipient_id, delivery_id in open_digests.items():
        Notification.objects.filter(recipient_id=recipient_id, email_state=State.DIGEST).update(
            email_state=State.DIGESTED, delivery_id=delivery_id
        )
        sent += delivery_send(delivery_id=delivery_id)
    return sent
