"""The report page lists a person's reports and the matters about them in a fixed number of
queries, however many there are (no query per case for a column it shows)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from breaches.models import Case


def _report_page(client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("breaches:home"))
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_more_reports_and_matters_cost_no_more_queries(client_as, org, make_case):
    first = make_case(reporter=org.staff)
    about = make_case(reporter=org.colleague, concerned="staff")
    Case.objects.filter(pk=about.pk).update(concerned_notified_at=timezone.now())
    client = client_as("staff")
    _, one_each = _report_page(client)
    more = [make_case(reporter=org.staff) for _ in range(2)]
    again = make_case(reporter=org.colleague, concerned="staff")
    Case.objects.filter(pk=again.pk).update(concerned_notified_at=timezone.now())

    page, three_each = _report_page(client)

    assert three_each == one_each
    for case in (first, *more):
        assert case.reference in page
    assert about.reference in page and again.reference in page
    assert "Received" in page
