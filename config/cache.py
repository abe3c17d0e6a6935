"""A Redis cache that degrades to 'no cache' while Redis is unreachable, instead of failing.

What is cached, under which names, and what forgets it: ``config.caching``.
"""

import logging
import time

from django.conf import settings
from django.core import checks
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class OneClientPerServer(RedisCacheClient):
    """Django's client builds a new ``redis.Redis`` for every cache call, and each build fills two
    dictionaries of about 80 response callbacks: 13 calls and 2.3 ms of CPU on a feed page. A
    client is safe to share (its connection pool hands out connections and starts afresh in a
    forked process), so each server's is built once."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class ResilientRedisCache(RedisCache):
    """Reads miss and writes are dropped while Redis is down; the site is slower, not broken.

    After a failure the cache stays off for ``RETRY_AFTER`` seconds, so a Redis that hangs
    costs one socket timeout per process and interval, not one per cache call.
    """

    RETRY_AFTER = 5.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = OneClientPerServer
        self._down_until = 0.0

    @property
    def available(self) -> bool:
        """False while the last failure is recent; the next call after that tries Redis again."""
        return time.monotonic() >= self._down_until

    def _quietly(self, default, method, *args, **kwargs):
        if not self.available:
            return default
        try:
            return method(*args, **kwargs)
        except (RedisError, OSError) as error:
            # One warning per outage and process: every request would otherwise log several.
            if self._down_until == 0.0:
                logger.warning("Cache unavailable, carrying on without it: %s", error)
            self._down_until = time.monotonic() + self.RETRY_AFTER
            return default
        finally:
            if self._down_until and self.available:
                logger.warning("Cache reachable again.")
                self._down_until = 0.0

    def get(self, key, default=None, version=None):
        return self._quietly(default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._quietly({}, super().get_many, keys, version)

    def set(self, key, value, timeout=..., version=None):
        timeout = self.default_timeout if timeout is ... else timeout
        return self._quietly(None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=..., version=None):
        timeout = self.default_timeout if timeout is ... else timeout
        return self._quietly([], super().set_many, data, timeout, version)

    def add(self, key, value, timeout=..., version=None):
        timeout = self.default_timeout if timeout is ... else timeout
        return self._quietly(False, super().add, key, value, timeout, version)

    def delete(self, key, version=None):
        return self._quietly(False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        return self._quietly(None, super().delete_many, keys, version)

    def has_key(self, key, version=None):
        return self._quietly(False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        # As if the counter had just started: callers compare the result with a limit, and
        # None would break them; a rate limit is simply not enforced while Redis is down.
        return self._quietly(delta, super().incr, key, delta, version)

    def touch(self, key, timeout=..., version=None):
        timeout = self.default_timeout if timeout is ... else timeout
        return self._quietly(False, super().touch, key, timeout, version)

    def clear(self):
        return self._quietly(False, super().clear)


def cache_is_shared() -> bool:
    """False for the in-process cache: every process (gunicorn worker) then has its own copy."""
    return not settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")


@checks.register(checks.Tags.caches, deploy=True)
def check_processes_share_the_cache(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Several processes on an in-process cache: a permission change or a posting limit would
    hold in one of them only."""
    if settings.WEB_CONCURRENCY > 1 and not cache_is_shared():
        return [
            checks.Error(
                f"WEB_CONCURRENCY is {settings.WEB_CONCURRENCY} but the cache is in-process.",
                hint="Set REDIS_URL so every worker shares one cache, or run a single worker (WEB_CONCURRENCY=1).",
                id="huddle.E001",
            )
        ]
    return []
