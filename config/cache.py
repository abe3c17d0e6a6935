"""A Redis cache that degrades to 'no cache' while Redis is unreachable, instead of failing requests."""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class ResilientRedisCache(RedisCache):
    """Reads miss and writes are dropped while Redis is down; the site is slower, not broken."""

    def _quietly(self, default, method, *args, **kwargs):
        try:
            return method(*args, **kwargs)
        except (RedisError, OSError) as error:
            logger.warning("Cache unavailable, carrying on without it: %s", error)
            return default

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
        return self._quietly(None, super().incr, key, delta, version)

    def touch(self, key, timeout=..., version=None):
        timeout = self.default_timeout if timeout is ... else timeout
        return self._quietly(False, super().touch, key, timeout, version)

    def clear(self):
        return self._quietly(False, super().clear)
