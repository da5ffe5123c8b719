from celery import shared_task


@shared_task(name="breaches.apply_retention", acks_late=True, ignore_result=True)
def apply_retention_task() -> None:
    """Nightly: anonymise closed cases past their retention date (legal holds are skipped)."""
    from breaches.services import apply_retention

    apply_retention()
