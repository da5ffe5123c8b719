"""The production cache is Django's own Redis backend; the portal's cache concept
(core.caching: namespaces with versions) works on it as on the test cache."""

import pytest
from django.core.cache.backends.redis import RedisCache

from core import caching

LOCATION = "redis://127.0.0.1:6379/12"


@pytest.fixture
def redis_cache(monkeypatch):
    cache = RedisCache(LOCATION, {"KEY_PREFIX": "portal-test-backend"})
    try:
        cache.clear()
    except Exception:  # pragma: no cover - a machine without Redis
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    monkeypatch.setattr(caching, "cache", cache)
    yield cache
    cache.clear()


def test_production_settings_name_djangos_own_redis_backend(monkeypatch):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in {"PORTAL_TESTING"}}
    env.update(DEBUG="1", REDIS_URL=LOCATION)
    result = subprocess.run(
        [sys.executable, "-c", "import django, os; os.environ.setdefault("
         "'DJANGO_SETTINGS_MODULE', 'portal.settings'); django.setup(); "
         "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"],
        env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "django.core.cache.backends.redis.RedisCache", result.stderr


def test_a_cached_answer_is_served_until_its_namespace_is_bumped(redis_cache):
    computed = []

    def compute():
        computed.append(1)
        return {"badge": len(computed)}

    assert caching.cached(["nav:person:1"], "nav:1", compute, 30) == {"badge": 1}
    assert caching.cached(["nav:person:1"], "nav:1", compute, 30) == {"badge": 1}
    caching.bump("nav:person:2")
    assert caching.cached(["nav:person:1"], "nav:1", compute, 30) == {"badge": 1}
    caching.bump("nav:person:1")
    assert caching.cached(["nav:person:1"], "nav:1", compute, 30) == {"badge": 2}
