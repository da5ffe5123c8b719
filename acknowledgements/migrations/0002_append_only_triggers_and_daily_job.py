"""Database guards for the evidence records, and the daily job that asks joiners.

PostgreSQL: a trigger refuses UPDATE and DELETE on acknowledgement records (TRUNCATE, used
only by test database flushes, is not a row change). SQLite: a trigger refuses UPDATE (DELETE
stays possible there only because Django's test flush uses it; the model refuses it).
"""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION acknowledgements_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'acknowledgement records are append-only (% refused)', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS acknowledgement_append_only ON acknowledgements_acknowledgement;
CREATE TRIGGER acknowledgement_append_only
    BEFORE UPDATE OR DELETE ON acknowledgements_acknowledgement
    FOR EACH ROW EXECUTE FUNCTION acknowledgements_refuse_change();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS acknowledgement_append_only ON acknowledgements_acknowledgement;
DROP FUNCTION IF EXISTS acknowledgements_refuse_change();
"""
SQLITE_UP = """
CREATE TRIGGER IF NOT EXISTS acknowledgement_append_only
BEFORE UPDATE ON acknowledgements_acknowledgement
BEGIN SELECT RAISE(ABORT, 'acknowledgement records are append-only (UPDATE refused)'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS acknowledgement_append_only;"


def triggers_up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_UP, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_UP, params=None)


def triggers_down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DOWN, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN, params=None)


def daily_job_up(apps, schema_editor):
    """The daily job is now created by `core/schedules.py` after every migrate."""


def daily_job_down(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    dependencies = [
        ("acknowledgements", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(triggers_up, triggers_down),
        migrations.RunPython(daily_job_up, daily_job_down),
    ]
