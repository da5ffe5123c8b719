"""Make sure the chain head row exists, so appending a record only locks it (no create first).

`acknowledgement_record` still creates it if it is missing (a flushed test database)."""

from django.db import migrations


def ensure_head(apps, schema_editor):
    ChainHead = apps.get_model("acknowledgements", "ChainHead")
    Acknowledgement = apps.get_model("acknowledgements", "Acknowledgement")
    if ChainHead.objects.filter(pk=1).exists():
        return
    last = Acknowledgement.objects.order_by("-sequence").values("sequence", "record_hash").first()
    if last is None:
        ChainHead.objects.create(pk=1)
    else:
        ChainHead.objects.create(pk=1, sequence=last["sequence"], record_hash=last["record_hash"])


class Migration(migrations.Migration):
    dependencies = [("acknowledgements", "0002_append_only_triggers_and_daily_job")]

    operations = [migrations.RunPython(ensure_head, migrations.RunPython.noop)]
