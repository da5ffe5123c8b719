"""On PostgreSQL, refuse changes to versions that are no longer drafts in the database itself.

The model layer refuses them too (PolicyVersion.save, Clause.save, ClauseQuerySet); these
triggers also stop raw SQL, bulk updates and other programs. SQLite relies on the model layer.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION policies_version_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'policy version % is % and cannot be deleted', OLD.id, OLD.status;
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status <> 'draft' AND (
        NEW.content_hash, NEW.source_text, NEW.label, NEW.cover, NEW.policy_id
    ) IS DISTINCT FROM (
        OLD.content_hash, OLD.source_text, OLD.label, OLD.cover, OLD.policy_id
    ) THEN
        RAISE EXCEPTION 'policy version % is % and its text cannot be changed', OLD.id, OLD.status;
    END IF;
    IF OLD.status IN ('superseded', 'withdrawn') AND NEW.status <> OLD.status THEN
        RAISE EXCEPTION 'policy version % is % for good', OLD.id, OLD.status;
    END IF;
    IF OLD.status = 'published' AND NEW.status NOT IN ('published', 'superseded', 'withdrawn') THEN
        RAISE EXCEPTION 'published policy version % cannot become %', OLD.id, NEW.status;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS policies_version_guard ON policies_policyversion;
CREATE TRIGGER policies_version_guard
    BEFORE UPDATE OR DELETE ON policies_policyversion
    FOR EACH ROW EXECUTE FUNCTION policies_version_guard();

CREATE OR REPLACE FUNCTION policies_clause_guard() RETURNS trigger AS $$
DECLARE
    version_status varchar;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT status INTO version_status FROM policies_policyversion WHERE id = OLD.version_id;
        IF version_status IS NOT NULL AND version_status <> 'draft' THEN
            RAISE EXCEPTION 'clauses of policy version % (%) cannot be changed',
                OLD.version_id, version_status;
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT status INTO version_status FROM policies_policyversion WHERE id = NEW.version_id;
        IF version_status IS NOT NULL AND version_status <> 'draft' THEN
            RAISE EXCEPTION 'clauses cannot be added to policy version % (%)',
                NEW.version_id, version_status;
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS policies_clause_guard ON policies_clause;
CREATE TRIGGER policies_clause_guard
    BEFORE INSERT OR UPDATE OR DELETE ON policies_clause
    FOR EACH ROW EXECUTE FUNCTION policies_clause_guard();

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

DROP TRIGGER IF EXISTS policies_addendum_guard ON policies_academyaddendum;
CREATE TRIGGER policies_addendum_guard
    BEFORE UPDATE OR DELETE ON policies_academyaddendum
    FOR EACH ROW EXECUTE FUNCTION policies_addendum_guard();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS policies_addendum_guard ON policies_academyaddendum;
DROP FUNCTION IF EXISTS policies_addendum_guard();
DROP TRIGGER IF EXISTS policies_clause_guard ON policies_clause;
DROP FUNCTION IF EXISTS policies_clause_guard();
DROP TRIGGER IF EXISTS policies_version_guard ON policies_policyversion;
DROP FUNCTION IF EXISTS policies_version_guard();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("policies", "0002_academyaddendum_policyreview_versionevent_and_more")]

    operations = [migrations.RunPython(forward, backward)]
