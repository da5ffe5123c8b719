"""Fewer indexes on the tables every acknowledgement writes (each index costs each write).

Records: no index on person alone (the unique person+version rule starts with it), none on
recorded_by for the records nobody made on someone's behalf (a partial index), and the unique
record hash without PostgreSQL's extra "LIKE" index. Assignments: no index on person alone or
version alone (the unique person+version rule and the version+… indexes serve them), nor on
the record that satisfied one (never looked up that way; records are never deleted).

SQLite rebuilds a table to change it, which drops its triggers: the append-only trigger of
0002 is put back afterwards (and after going back).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


SQLITE_APPEND_ONLY = """
CREATE TRIGGER IF NOT EXISTS acknowledgement_append_only
BEFORE UPDATE ON acknowledgements_acknowledgement
BEGIN SELECT RAISE(ABORT, 'acknowledgement records are append-only (UPDATE refused)'); END;
"""


def sqlite_append_only_again(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_APPEND_ONLY, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('acknowledgements', '0003_chain_head_row'),
        ('policies', '0004_addendum_guard_follows_version'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, sqlite_append_only_again),
        migrations.AlterField(
            model_name='acknowledgement',
            name='person',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='acknowledgements', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='acknowledgement',
            name='record_hash',
            field=models.CharField(max_length=64),
        ),
        migrations.AlterField(
            model_name='acknowledgement',
            name='recorded_by',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='assignment',
            name='person',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='ack_assignments', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='assignment',
            name='version',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='ack_assignments', to='policies.policyversion'),
        ),
        migrations.AlterField(
            model_name='assignment',
            name='acknowledgement',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='acknowledgements.acknowledgement'),
        ),
        migrations.AddIndex(
            model_name='acknowledgement',
            index=models.Index(condition=models.Q(('recorded_by__isnull', False)), fields=['recorded_by'], name='ack_record_recorded_by'),
        ),
        migrations.AddConstraint(
            model_name='acknowledgement',
            constraint=models.UniqueConstraint(fields=('record_hash',), name='ack_record_hash_unique'),
        ),
        migrations.RunPython(sqlite_append_only_again, migrations.RunPython.noop),
    ]
