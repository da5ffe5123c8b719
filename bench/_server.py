"""A production-like portal on loopback for the load benchmark and the fault scripts.

gunicorn (sync workers) on 127.0.0.1, PostgreSQL in its own database, DEBUG off, a SECRET_KEY,
no HTTPS redirect (loopback only), the benchmark floor view switched on. Everything started
here is stopped by `Portal.stop()` (also on Ctrl-C and at interpreter exit).
"""

import atexit
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
ADMIN_DSN = "postgres://postgres@127.0.0.1:5432/postgres"


def portal_env(database_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items()
            if k not in {"DEBUG", "PORTAL_TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL",
                         "DATABASE_URL", "CELERY_TASK_ALWAYS_EAGER"}}
    return {
        **keep,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-only-" + "not-a-real-secret-" * 3,
        "ACK_CHAIN_KEY": "bench-only-chain-key-" + "not-a-real-secret-" * 3,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "BENCHMARK_FLOOR_VIEW": "1",
        "PORTAL_VAR_DIR": str(var_dir),
        "SITE_URL": "http://127.0.0.1",
        "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        **extra,
    }


def database_create(database_url: str, *, fresh: bool = False) -> bool:
    """Create the database if missing (drop it first with fresh). True if it was created."""
    import psycopg2

    name = urlsplit(database_url).path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise ValueError(f"refusing odd database name {name!r}")
    connection = psycopg2.connect(ADMIN_DSN)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            if fresh:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone():
                return False
            cursor.execute(f'CREATE DATABASE "{name}"')
            return True
    finally:
        connection.close()


def manage(env: dict, *args: str, timeout: int = 1800) -> str:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, text=True,
                            capture_output=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def run_script(env: dict, script: Path, *args: str, timeout: int = 1800) -> str:
    result = subprocess.run([PYTHON, str(script), *args], cwd=ROOT, env=env, text=True,
                            capture_output=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"{script.name} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def port_is_free(port: int) -> bool:
    """Nobody listens there (a port in TIME_WAIT after a clean stop counts as free)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Portal:
    """gunicorn serving the portal on 127.0.0.1:port until stop()."""

    def __init__(self, env: dict, *, port: int = 0, workers: int = 4, threads: int = 1,
                 timeout: int = 30):
        self.env, self.workers, self.threads, self.timeout = env, workers, threads, timeout
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self.log = Path(env["PORTAL_VAR_DIR"]) / "gunicorn.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Portal":
        if not port_is_free(self.port):
            raise RuntimeError(f"127.0.0.1:{self.port} is already in use by someone else")
        self.log.parent.mkdir(parents=True, exist_ok=True)
        output = self.log.open("ab")
        self.process = subprocess.Popen(
            [GUNICORN, "portal.wsgi", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.workers), "--threads", str(self.threads),
             "--timeout", str(self.timeout),
             "--graceful-timeout", "5", "--backlog", "512", "--log-level", "warning",
             "--error-logfile", str(self.log)],
            cwd=ROOT, env=self.env, stdout=output, stderr=output, start_new_session=True,
        )
        output.close()
        atexit.register(self.stop)
        self._wait_ready()
        return self

    def _wait_ready(self, seconds: float = 60) -> None:
        import httpx

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}")
            with contextlib.suppress(httpx.HTTPError):
                answer = httpx.get(f"{self.url}/accounts/login/", timeout=2)
                if answer.status_code == 200 and self.process.poll() is None:
                    return
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer within {seconds}s; see {self.log}")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)

    def __enter__(self) -> "Portal":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
