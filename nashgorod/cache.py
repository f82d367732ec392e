"""A Redis cache that a dead Redis cannot take the portal down with.

Everything the portal keeps in the cache can be lost: statistics and map
shapes are recomputed, the scheduler's heartbeat is written again within a
minute, throttle counters start afresh. So when Redis cannot be reached the
cache behaves as an empty one that keeps nothing (every read a miss, every
write dropped) instead of turning the page into a server error; the failure
is logged, and for BACKOFF_SECONDS this process does not try again, so that a
hung Redis costs one socket timeout and not one per cache call of every
request.
"""

from __future__ import annotations

import functools
import logging
import time

import redis.exceptions
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

BACKOFF_SECONDS = 30.0

# What the Redis client raises when the server is away or too slow.
# ConnectionError and TimeoutError (OSErrors) can come from the socket itself.
UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, ConnectionError, TimeoutError)


def _forgiving(fallback):
    """Run the cache method; if Redis is unreachable (now, or moments ago),
    return what `fallback(*args, **kwargs)` gives instead."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            if time.monotonic() < self._down_until:
                return fallback(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except UNREACHABLE as exc:
                self._down_until = time.monotonic() + BACKOFF_SECONDS
                logger.warning(
                    "Cache unreachable; %s treated as a miss for %ds: %r",
                    method.__name__,
                    BACKOFF_SECONDS,
                    exc,
                )
                return fallback(*args, **kwargs)

        return wrapper

    return decorate


def _missing_key(key, *args, **kwargs):
    # What incr() and decr() raise for a key the cache does not hold.
    raise ValueError(f"Key '{key}' not found (the cache is unreachable)")


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's client builds a new redis.Redis around the pool on every
    cache call (~0.1 ms of Python each, several calls a request); one per
    pool serves them all. A redis.Redis is thread-safe, and its pool, not
    the client, holds the connections (and starts afresh in a forked child)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ForgivingRedisCache(RedisCache):
    """django.core.cache.backends.redis.RedisCache, but an unreachable Redis
    reads as an empty cache that keeps nothing.

    `add` answers True: an empty cache holds no key to refuse it with, and
    what the portal guards with add (the e-mail confirmation resend
    interval) must let the resident through rather than lock them out while
    Redis is away, and the statistics' debounce (stats.tasks) then queues a
    refresh for every event, as it would with no debounce at all. Nothing in
    the portal uses the cache as a lock.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        self._down_until = 0.0

    get = _forgiving(lambda key, default=None, version=None: default)(RedisCache.get)
    get_many = _forgiving(lambda keys, version=None: {})(RedisCache.get_many)
    has_key = _forgiving(lambda *args, **kwargs: False)(RedisCache.has_key)
    add = _forgiving(lambda *args, **kwargs: True)(RedisCache.add)
    set = _forgiving(lambda *args, **kwargs: None)(RedisCache.set)
    set_many = _forgiving(lambda data, *args, **kwargs: list(data))(RedisCache.set_many)
    touch = _forgiving(lambda *args, **kwargs: False)(RedisCache.touch)
    delete = _forgiving(lambda *args, **kwargs: False)(RedisCache.delete)
    delete_many = _forgiving(lambda *args, **kwargs: None)(RedisCache.delete_many)
    incr = _forgiving(_missing_key)(RedisCache.incr)
    clear = _forgiving(lambda: False)(RedisCache.clear)
