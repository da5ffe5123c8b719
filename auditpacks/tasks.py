from celery import shared_task


@shared_task(name="auditpacks.build_pack", acks_late=True, ignore_result=True)
def build_pack(pack_id: int) -> None:
    """Build one queued pack (claimed by a conditional update: never built twice at once)."""
    from auditpacks.services import pack_build

    pack_build(pack_id=pack_id)


@shared_task(name="auditpacks.cleanup_packs", ignore_result=True)
def cleanup_packs() -> int:
    """Daily: delete pack files past their keep period (AUDIT_PACK_RETENTION_DAYS)."""
    from auditpacks.services import packs_cleanup

    return packs_cleanup()
