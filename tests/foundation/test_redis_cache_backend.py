"""The production cache backend (core.redis_cache) against the machine's real Redis."""

import pytest

from core.redis_cache import RedisCache

LOCATION = "redis://127.0.0.1:6379/12"


@pytest.fixture
def redis_cache():
    cache = RedisCache(LOCATION, {"KEY_PREFIX": "portal-test-backend"})
    cache.clear()
    yield cache
    cache.clear()


def test_values_round_trip_as_with_djangos_backend(redis_cache):
    redis_cache.set("panels", [{"title": "Policies waiting", "html": "<ul></ul>"}], 30)
    assert redis_cache.get("panels") == [{"title": "Policies waiting", "html": "<ul></ul>"}]
    assert redis_cache.add("generation", 1, None) is True
    assert redis_cache.add("generation", 2, None) is False
    assert redis_cache.get_many(["generation", "missing"]) == {"generation": 1}
    redis_cache.set_many({"generation": 5}, None)
    assert redis_cache.incr("generation") == 6
    redis_cache.delete("panels")
    assert redis_cache.get("panels") is None


def test_one_redis_client_serves_every_call(redis_cache):
    client = redis_cache._cache.get_client()
    redis_cache.set("a", 1, 30)
    redis_cache.get("a")
    assert redis_cache._cache.get_client(write=True) is client
