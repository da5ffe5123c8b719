import os
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.backends.signals import connection_created
from django.test import Client

from accounts.models import Role
from tests.factories import academy_make, person_make

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _allow_test_flush(sender, connection, **kwargs):
    """Test databases only: Django's flush between transactional tests TRUNCATEs every table,
    which the append-only tables refuse unless this is set (audit/migrations/0004)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET portal.allow_truncate = 'on'")


connection_created.connect(_allow_test_flush)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and used TOTP codes live in the cache; SQLite reuses row ids between tests,
    so one test's counters must not reach the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def cache_down(monkeypatch):
    """cache_down(): from then on every call to the cache fails, as when Redis is unreachable."""
    from django.core.cache import cache

    def unreachable(*args, **kwargs):
        raise ConnectionError("cache unreachable")

    def down() -> None:
        for name in ("get", "get_many", "set", "set_many", "add", "incr", "delete"):
            monkeypatch.setattr(cache, name, unreachable)

    return down


@pytest.fixture
def postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (run with DATABASE_URL=postgres://…)")


@pytest.fixture
def org(db):
    """A small trust: two academies and the central team, with one person in every role.

    `outsider` is ordinary staff in the *other* academy: they should see nothing of `academy`.
    """
    central = academy_make("Central Trust Team", central=True)
    academy = academy_make("Northfield Primary Academy")
    other = academy_make("Riverside Secondary Academy")
    ceo = person_make(role=Role.CEO, academy=central, name="Chief Executive")
    hr = person_make(role=Role.HR, academy=central, name="Human Resources")
    admin = person_make(role=Role.ADMIN, academy=central, name="Administrator", is_staff=True,
                        is_superuser=True)
    board = person_make(role=Role.BOARD, academy=central, name="Board Member")
    principal = person_make(role=Role.PRINCIPAL, academy=academy, name="Principal North",
                            line_manager=ceo)
    other_principal = person_make(role=Role.PRINCIPAL, academy=other, name="Principal River",
                                  line_manager=ceo)
    manager = person_make(academy=academy, name="Line Manager", line_manager=principal)
    staff = person_make(academy=academy, name="Staff Member", line_manager=manager)
    colleague = person_make(academy=academy, name="Staff Colleague", line_manager=manager)
    outsider = person_make(academy=other, name="Other Staff", line_manager=other_principal)
    return SimpleNamespace(
        central=central, academy=academy, other=other, ceo=ceo, hr=hr, admin=admin, board=board,
        principal=principal, other_principal=other_principal, manager=manager, staff=staff,
        colleague=colleague, outsider=outsider,
    )


ROLE_NAMES = ["anonymous", "staff", "manager", "principal", "other_principal", "hr", "ceo",
              "board", "admin", "outsider"]


@pytest.fixture
def client_as(org):
    """client_as("hr") -> a Client signed in as that org member (MFA already enrolled)."""

    def make(name: str) -> Client:
        client = Client()
        if name != "anonymous":
            client.force_login(getattr(org, name))
        return client

    return make


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"],
    }
