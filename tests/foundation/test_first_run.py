"""What a newcomer meets on the first run of scripts/dev: emails that link to the port the
portal serves, a favicon, and a quiet Celery worker."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _settings_value(expression: str, **env) -> str:
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("SITE_URL", "PORT", "REDIS_URL", "PYTEST_CURRENT_TEST")}
    environment |= {"DJANGO_SETTINGS_MODULE": "portal.settings", "DEBUG": "1", **env}
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=60, check=True)
    return done.stdout.strip()


def test_the_development_site_url_follows_the_port():
    assert _settings_value("settings.SITE_URL", PORT="8101") == "http://127.0.0.1:8101"
    assert _settings_value("settings.SITE_URL") == "http://127.0.0.1:8000"


def test_the_dev_script_passes_its_port_to_the_emails():
    script = (ROOT / "scripts" / "dev").read_text()
    assert 'export SITE_URL="${SITE_URL:-http://127.0.0.1:$PORT}"' in script
    assert script.index("export SITE_URL") < script.index("celery -A portal worker")


def test_favicon_ico_answers_with_the_vendored_icon(client, db):
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.ico")
    icon = Path(finders.find("portal/favicon.ico")).read_bytes()
    assert icon[:4] == b"\x00\x00\x01\x00"  # an .ico file


def test_every_page_names_its_icon(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert 'rel="icon"' in page and "favicon.ico" in page


def test_the_embedded_broker_connects_without_the_no_hostname_warning(tmp_path):
    code = (
        "import logging, io; stream = io.StringIO();"
        "logging.basicConfig(stream=stream, level=logging.WARNING);"
        "from portal.celery import app; app.connection_for_write().info();"
        "print(repr(stream.getvalue()))"
    )
    environment = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    environment |= {"DJANGO_SETTINGS_MODULE": "portal.settings", "DEBUG": "1"}
    done = subprocess.run([sys.executable, "-c", "import django; django.setup();" + code],
                          cwd=ROOT, env=environment, capture_output=True, text=True,
                          timeout=60, check=True)
    assert "No hostname was supplied" not in done.stdout + done.stderr


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0,
                    reason="the warning is given only to a worker running as root")
def test_the_development_worker_does_not_warn_about_running_as_root():
    code = (
        "import warnings; from portal.celery import app;"
        "from celery.platforms import check_privileges;"
        "\nwith warnings.catch_warnings(record=True) as caught:\n"
        "    check_privileges({'json'})\n"
        "print(len(caught))"
    )
    environment = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    environment |= {"DJANGO_SETTINGS_MODULE": "portal.settings", "DEBUG": "1"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "0", done.stdout + done.stderr
