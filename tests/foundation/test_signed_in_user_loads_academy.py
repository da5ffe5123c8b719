"""The signed-in person comes with their academy: pages that show it do not ask again."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def test_a_principals_pages_do_not_look_up_their_academy_separately(client_as, org):
    client = client_as("principal")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/policies/")
    assert response.status_code == 200
    alone = [q["sql"] for q in queries.captured_queries
             if q["sql"].lstrip().startswith('SELECT "accounts_academy"')
             and '"accounts_academy"."id" = ' in q["sql"] and "LIMIT 21" in q["sql"]]
    assert alone == []


def test_a_deactivated_person_is_signed_out_on_their_next_request(client_as, org):
    client = client_as("staff")
    org.staff.is_active = False
    org.staff.save(update_fields=["is_active"])
    response = client.get("/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
