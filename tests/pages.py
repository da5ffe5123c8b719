"""Opening a page in a test and seeing which queries it asked."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def open_page(client, url: str) -> tuple[str, str]:
    """(the page's HTML, every SQL statement it ran joined by spaces); the page must be 200."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), " ".join(q["sql"] for q in queries.captured_queries)
