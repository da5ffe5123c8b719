"""Django's Redis cache backend, keeping its redis client between cache calls.

Django's `RedisCacheClient.get_client()` builds a new `redis.Redis` for every cache call, and
each one sets up some 170 response callbacks: about a tenth of a millisecond per call, several
times a page. The client is only a handle on the connection pool (which Django already keeps),
so one per pool is enough. Everything else is Django's backend unchanged.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _ClientKeepingCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(
                connection_pool=self._get_connection_pool(write))
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ClientKeepingCacheClient
