"""An approved addendum is frozen once its version is published (not as soon as it is approved),
so the copy carried into a new draft can be revised. PostgreSQL only, like 0003."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION policies_addendum_guard() RETURNS trigger AS $$
DECLARE
    version_status varchar;
BEGIN
    IF OLD.status <> 'approved' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    SELECT status INTO version_status FROM policies_policyversion WHERE id = OLD.version_id;
    IF version_status IN ('published', 'superseded', 'withdrawn') THEN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'addendum % was approved with a % version and cannot be deleted',
                OLD.id, version_status;
        END IF;
        IF (NEW.text, NEW.version_id, NEW.academy_id, NEW.status)
                IS DISTINCT FROM (OLD.text, OLD.version_id, OLD.academy_id, OLD.status) THEN
            RAISE EXCEPTION 'addendum % was approved with a % version and cannot be changed',
                OLD.id, version_status;
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

BACKWARD = """
CREATE OR REPLACE FUNCTION policies_addendum_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status = 'approved' THEN
            RAISE EXCEPTION 'approved addendum % cannot be deleted', OLD.id;
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status = 'approved' AND (NEW.text, NEW.version_id, NEW.academy_id)
            IS DISTINCT FROM (OLD.text, OLD.version_id, OLD.academy_id) THEN
        RAISE EXCEPTION 'approved addendum % cannot be changed', OLD.id;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("policies", "0003_immutability_triggers")]

    operations = [migrations.RunPython(forward, backward)]
