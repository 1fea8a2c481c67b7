"""The Redis cache backend of the portal: Django's, with one client per server reused by every call.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` object around the (shared)
connection pool on every cache call; building one copies redis-py's response-callback tables, which
costs more than the round trip itself on a prepared dashboard. Here each pool gets its client once
and keeps it (a ``redis.Redis`` is safe to share between threads; the pool checks the process id,
so a forked gunicorn worker opens its own connections).
"""
from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class PortalRedisCacheClient(RedisCacheClient):
    def __init__(self, servers: list[str], **options: Any) -> None:
        super().__init__(servers, **options)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: str | None = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class PortalRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = PortalRedisCacheClient
