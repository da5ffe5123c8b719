"""What a technician's `docker compose up` depends on, read from the files themselves (CI also runs
`docker-compose config` against .env.example and `caddy adapt` on the Caddyfile)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = (ROOT / "docker-compose.yml").read_text()
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def _service(name: str) -> str:
    match = re.search(rf"^  {name}:\n(.*?)(?=^  \w[\w-]*:\n|^volumes:)", COMPOSE, re.M | re.S)
    assert match, f"no {name} service"
    return match.group(1)


def test_every_volume_mount_point_exists_in_the_image_and_belongs_to_portal():
    mounts = set(re.findall(r"^\s+- [\w./-]+:(/[\w/]+)", COMPOSE, re.M))
    portal_mounts = {m for m in mounts if m.startswith(("/data/private", "/backups"))}
    assert portal_mounts == {"/data/private", "/backups"}
    for mount in portal_mounts:
        assert re.search(rf"mkdir -p [^\n]*{mount}\b", DOCKERFILE), mount
        assert re.search(rf"chown portal:portal [^\n]*{mount}\b", DOCKERFILE), mount
    assert "USER portal" in DOCKERFILE


def test_web_worker_and_beat_start_only_after_migrate_succeeded():
    anchor = COMPOSE.split("services:")[0]
    assert re.search(r"migrate:\n\s+condition: service_completed_successfully", anchor)
    for name in ("web", "worker", "beat"):
        assert "depends_on" not in _service(name), f"{name} must keep the shared depends_on"
    assert "service_completed_successfully" not in _service("migrate")


def test_only_caddy_is_reachable_from_outside():
    assert "ports:" not in _service("web")
    caddy = _service("caddy")
    assert '"80:80"' in caddy and '"443:443"' in caddy
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in caddy
    caddyfile = (ROOT / "Caddyfile").read_text()
    assert "{$SITE_URL}" in caddyfile and "reverse_proxy web:8000" in caddyfile


def test_env_example_names_every_variable_compose_requires():
    required = set(re.findall(r"\$\{(\w+):\?", COMPOSE))
    example = set(re.findall(r"^(\w+)=", (ROOT / ".env.example").read_text(), re.M))
    assert required and required <= example, required - example


def test_the_image_never_contains_local_secrets_or_data():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".env", "var/", "backups/", ".venv", ".git"):
        assert entry in ignored
