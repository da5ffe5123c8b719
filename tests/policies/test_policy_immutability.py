import pytest
from django.db import DatabaseError, connection, transaction

from policies import services
from policies.models import Clause, PolicyImmutable, PolicyVersion

S = PolicyVersion.Status


def test_a_clause_of_a_published_version_cannot_be_saved(published):
    clause = published.clauses.get(number="5.1 f)")
    clause.text = "Be nice."
    with pytest.raises(PolicyImmutable):
        clause.save()


def test_clauses_of_a_published_version_cannot_be_bulk_updated_or_deleted(published):
    with pytest.raises(PolicyImmutable):
        Clause.objects.filter(version=published).update(text="x")
    with pytest.raises(PolicyImmutable):
        Clause.objects.filter(version=published).delete()
    assert published.clauses.count() == 93


def test_the_text_of_a_published_version_cannot_be_changed(published):
    published.source_text = "Something else"
    with pytest.raises(PolicyImmutable):
        published.save()


def test_a_published_version_cannot_be_deleted(published):
    with pytest.raises(PolicyImmutable):
        published.delete()


def test_the_draft_editor_refuses_a_published_version(org, published):
    clause = published.clauses.get(number="1.1")
    with pytest.raises(PolicyImmutable):
        services.clause_update(clause=clause, number="1.1", text="Changed.", actor=org.hr)
    with pytest.raises(PolicyImmutable):
        services.version_replace_text(version=published, text="1. A\n- 1.1 B\n", actor=org.hr)
    published.refresh_from_db()
    assert published.content_hash == published.compute_content_hash()


def test_a_version_in_consultation_is_frozen_too(org, imported):
    from tests.policies.conftest import walk

    version = walk(imported.version, org, S.CONSULTATION)
    clause = version.clauses.get(number="1.1")
    with pytest.raises(PolicyImmutable):
        services.clause_update(clause=clause, number="1.1", text="Changed.", actor=org.hr)


def test_status_changes_are_still_allowed_on_a_published_version(org, published):
    services.version_transition(version=published, to_status=S.WITHDRAWN, actor=org.ceo,
                                reason="Policy retired")
    published.refresh_from_db()
    assert published.status == S.WITHDRAWN


def _raw(sql: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_database_refuses_to_change_a_published_clause(postgres_only, published):
    clause = published.clauses.get(number="5.1 f)")
    with pytest.raises(DatabaseError, match="cannot be changed"):
        _raw("UPDATE policies_clause SET text = %s WHERE id = %s", ["Be nice.", clause.pk])
    clause.refresh_from_db()
    assert clause.text.startswith("harass or bully")


def test_the_database_refuses_to_delete_a_published_clause(postgres_only, published):
    with pytest.raises(DatabaseError):
        _raw("DELETE FROM policies_clause WHERE version_id = %s", [published.pk])
    assert published.clauses.count() == 93


def test_the_database_refuses_to_add_a_clause_to_a_published_version(postgres_only, published):
    with pytest.raises(DatabaseError, match="cannot be added"):
        _raw(
            "INSERT INTO policies_clause (version_id, number, anchor, heading, text, level, "
            "\"order\") VALUES (%s, '99', '99', '', 'x', 0, 999)", [published.pk],
        )


def test_the_database_refuses_to_change_a_published_versions_text(postgres_only, published):
    with pytest.raises(DatabaseError, match="cannot be changed"):
        _raw("UPDATE policies_policyversion SET content_hash = 'x' WHERE id = %s",
             [published.pk])
    with pytest.raises(DatabaseError):
        _raw("DELETE FROM policies_policyversion WHERE id = %s", [published.pk])


def test_the_database_refuses_to_unpublish_a_version(postgres_only, published):
    with pytest.raises(DatabaseError, match="cannot become"):
        _raw("UPDATE policies_policyversion SET status = 'draft' WHERE id = %s", [published.pk])


def test_the_database_lets_a_draft_change(postgres_only, imported):
    _raw("UPDATE policies_clause SET text = %s WHERE version_id = %s AND number = '1.1'",
         ["Changed.", imported.version.pk])
    assert imported.version.clauses.get(number="1.1").text == "Changed."
