import os
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command

from accounts.models import Academy, User

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if k not in {"DEBUG", "SECRET_KEY", "ACK_CHAIN_KEY", "PORTAL_TESTING",
                          "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env},
        capture_output=True, text=True, timeout=120,
    )


def test_the_portal_refuses_to_start_in_production_without_a_secret_key():
    result = run_manage("check")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_the_portal_refuses_to_start_in_production_without_the_acknowledgement_chain_key():
    result = run_manage(
        "check", SECRET_KEY="x" * 20 + "production-secret-key-that-is-long-and-random-0123456789")
    assert result.returncode != 0
    assert "ACK_CHAIN_KEY is not set" in result.stderr


def test_the_deployment_check_passes_with_production_settings():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        SECRET_KEY="x" * 20 + "production-secret-key-that-is-long-and-random-0123456789",
        ACK_CHAIN_KEY="y" * 20 + "production-chain-key-that-is-long-and-random-0123456789",
        ALLOWED_HOSTS="policies.trust.example",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_seeding_the_demo_twice_duplicates_nothing(db):
    call_command("seed_demo")
    counts = (User.objects.count(), Academy.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Academy.objects.count()) == counts
    assert Academy.objects.filter(is_central=False).count() >= 3
    assert set(User.objects.values_list("role", flat=True)) >= {
        "staff", "principal", "hr", "ceo", "board", "admin"
    }


def test_microsoft_and_google_sign_in_are_switched_on_from_the_environment_alone():
    # Checks configuration and routing only: no database is needed in the subprocess.
    script = (
        "from django.urls import reverse;"
        "from allauth.socialaccount import providers;"
        "print(reverse('microsoft_login'), reverse('google_login'),"
        " sorted(p.id for p in providers.registry.get_class_list()))"
    )
    result = run_manage(
        "shell", "-c", script, DEBUG="1", ENTRA_CLIENT_ID="client", ENTRA_CLIENT_SECRET="secret",
        ENTRA_TENANT_ID="tenant", GOOGLE_CLIENT_ID="client", GOOGLE_CLIENT_SECRET="secret",
    )
    assert "/accounts/microsoft/login/ /accounts/google/login/" in result.stdout, result.stderr
    assert "'google', 'microsoft'" in result.stdout


def test_without_the_environment_there_is_no_single_sign_on():
    result = run_manage("shell", "-c", "from django.urls import reverse; reverse('google_login')",
                        DEBUG="1")
    assert "NoReverseMatch" in result.stderr


def test_checking_for_missing_migrations_needs_no_secret_key():
    result = run_manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_the_trust_can_set_its_working_day_calendar_and_due_days_from_the_environment():
    result = run_manage(
        "shell", "--verbosity=0", "-c",
        "from django.conf import settings as s; from breaches.workdays import is_working_day;"
        "import datetime; print(s.ACK_DUE_DAYS, s.BREACHES_HOLIDAY_SUBDIV,"
        " is_working_day(datetime.date(2026, 12, 1)))",
        DEBUG="1", ACK_DUE_DAYS="21", BREACHES_HOLIDAY_SUBDIV="WLS",
        BREACHES_CLOSURE_DATES="2026-12-01,2026-12-02",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["21", "WLS", "False"]
