"""Once created the periodic schedule here; `core/schedules.py` now creates every schedule after
each migrate, so this migration does nothing (kept so the migration history stays the same)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
