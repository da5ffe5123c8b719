"""Periodic work: expire undecided posts and enquiries, end periods that are over.

Schedule `approvals.expire_and_end` every 15 minutes (posts expire at their planned time).
"""

import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(name="approvals.expire_and_end", ignore_result=True)
def expire_and_end() -> dict[str, int]:
    from approvals.services import requests_end, requests_expire

    expired = requests_expire()
    ended = requests_end()
    if expired or ended:
        log.info("Approvals: %s expired, %s ended", len(expired), len(ended))
    return {"expired": len(expired), "ended": len(ended)}
