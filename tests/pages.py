"""Opening a page in a test and seeing which queries it asked."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def open_page(client, url: str) -> tuple[str, str]:
    """(the page's HTML, every SQL statement it ran joined by spaces); the page must be 200."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), " ".join(q["sql"] for q in queries.captured_queries)


def cache_reads(monkeypatch) -> list[tuple[str, object]]:
    """From now on, every read the page makes of Django's cache: [(get or get_many, keys)]."""
    from django.core.cache import cache

    reads, inside = [], []
    for name in ("get", "get_many"):
        original = getattr(cache, name)

        def counted(*args, _original=original, _name=name, **kwargs):
            if not inside:  # the local-memory cache's get_many calls its own get
                reads.append((_name, args[0]))
            inside.append(_name)
            try:
                return _original(*args, **kwargs)
            finally:
                inside.pop()

        monkeypatch.setattr(cache, name, counted)
    return reads
