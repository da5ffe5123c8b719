from celery import shared_task


@shared_task(name="acknowledgements.assign_joiners", ignore_result=True)
def assign_joiners() -> int:
    """Daily: ask joiners on their start date, and people who joined a policy's audience."""
    from acknowledgements.services import assignments_sync

    return assignments_sync()


@shared_task(name="acknowledgements.publish_chain_head", ignore_result=True)
def publish_chain_head() -> int:
    """Weekly: send HR and the Board the signed acknowledgement chain head."""
    from acknowledgements.services import head_notice_send

    return head_notice_send()
