"""Emails to an address outside the portal (someone with no login, such as an IT company).

They go through the same outbox as every notification email: `email_address()` writes a
`Delivery` with no recipient, holding the address, subject and text, in the caller's
transaction; it is sent after commit, and a failure is retried with the same back-off, listed on
the deliveries page and sent again by `flush_outbox` (see notifications/services.py).
"""

from django.db import IntegrityError, models, transaction

from notifications.models import Delivery
from notifications.services import queue_delivery


def email_address(*, to: str, kind: str, subject: str, body: str,
                  about: models.Model | None = None, period: str = "") -> Delivery | None:
    """Queue one email to `to`, once per (address, kind, about, period).

    Returns None when the same email was queued already (so callers may retry freely). Call it
    inside the transaction of the change it reports.
    """
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                recipient=None, to_address=to[:254], kind=kind[:60], email_subject=subject[:300],
                body=body, period=period[:40],
                subject_type=about._meta.label_lower if about is not None else "",
                subject_id=str(about.pk) if about is not None else "",
            )
    except IntegrityError:
        return None
    transaction.on_commit(lambda: queue_delivery(delivery.pk))
    return delivery
