"""PostgreSQL: refuse TRUNCATE on the append-only tables (the audit trail and the
acknowledgement records), which the row triggers of audit 0002 and acknowledgements 0002 do not
see. One statement-level BEFORE TRUNCATE trigger per table; `TRUNCATE … CASCADE` from another
table reaches these tables and is refused too.

The one way round is for test databases only: Django's test flush empties every table with
TRUNCATE. The trigger lets a TRUNCATE through only when BOTH the database is a test database
(its name starts with `test_`, which Django gives every test database and the portal's
production database never has) AND the session has set `portal.allow_truncate = 'on'` (only
tests/conftest.py does, on each new connection). A production session setting the variable
is still refused. Whoever owns the tables can still drop the trigger: docs/security.md
("Tamper evidence and the database owner") says what that means.
"""

from django.db import migrations

PROTECTED_TABLES = ["audit_auditevent", "acknowledgements_acknowledgement"]

FUNCTION = r"""
CREATE OR REPLACE FUNCTION portal_refuse_truncate() RETURNS trigger AS $$
BEGIN
  IF current_database() LIKE 'test\_%'
     AND coalesce(current_setting('portal.allow_truncate', true), '') = 'on' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION '% is append-only (TRUNCATE refused)', TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
TRIGGER = """
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
  FOR EACH STATEMENT EXECUTE FUNCTION portal_refuse_truncate();
"""
DROP = "DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in PROTECTED_TABLES:
        schema_editor.execute(TRIGGER.format(table=table), params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in PROTECTED_TABLES:
        schema_editor.execute(DROP.format(table=table), params=None)
    schema_editor.execute("DROP FUNCTION IF EXISTS portal_refuse_truncate();", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_drop_redundant_object_type_index"),
        ("acknowledgements", "0004_fewer_indexes_on_written_tables"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
