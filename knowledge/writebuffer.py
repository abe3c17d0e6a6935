"""Buffers for small rows that reads produce (page views, search logs), written in batches.

Serving a page then writes nothing to the database: a row waits in a buffer and ``flush``
writes every buffer's rows in a few statements. A buffer is a Redis list when the cache is
Redis (shared by every process, kept across restarts) and a list in this process otherwise
(written out when the process exits).

Nothing is flushed while a page is served (a GET writes nothing, not even a queued task). A
POST that adds to a buffer (the view beacon) calls ``flush_if_due``, which flushes every buffer
when one holds ``BATCH_SIZE`` rows or ``FLUSH_SECONDS`` have passed since the last flush: inline
when tasks run inline, in the task worker when one runs. ``manage.py flush_write_buffers``
writes them out at once (from cron on a site where nobody opens a page for a long while).
"""

from __future__ import annotations

import atexit
import json
import logging
import threading
from collections.abc import Callable, Sequence

from django.core.cache import cache
from redis.exceptions import RedisError

from config.cache import cache_is_shared

logger = logging.getLogger(__name__)

BATCH_SIZE = 50
FLUSH_SECONDS = 10
FLUSH_DUE_KEY = "huddle:buffers:flushed-recently"

Row = Sequence  # a JSON-able tuple of plain values


class _ProcessList:
    def __init__(self):
        self._rows: list = []
        self._lock = threading.Lock()

    def push(self, row: Row) -> int:
        with self._lock:
            self._rows.append(tuple(row))
            return len(self._rows)

    def take(self, limit: int) -> list:
        with self._lock:
            taken, self._rows = self._rows[:limit], self._rows[limit:]
            return taken

    def __len__(self) -> int:
        return len(self._rows)


class _RedisList:
    """A Redis list: appended to and taken from atomically by any process."""

    def __init__(self, name: str):
        self.name = name

    def _client(self):
        return cache._cache.get_client(write=True)

    def _key(self) -> str:
        return cache.make_key(f"huddle:buffers:{self.name}")

    def push(self, row: Row) -> int:
        return self._client().rpush(self._key(), json.dumps(list(row)))

    def take(self, limit: int) -> list:
        pipeline = self._client().pipeline(transaction=True)
        pipeline.lrange(self._key(), 0, limit - 1)
        pipeline.ltrim(self._key(), limit, -1)
        rows, _ = pipeline.execute()
        return [tuple(json.loads(row)) for row in rows]

    def __len__(self) -> int:
        return self._client().llen(self._key())


class WriteBuffer:
    """Rows waiting to be written by ``write(rows)``, which must accept any batch of them."""

    def __init__(self, name: str, write: Callable[[list], int]):
        self.name = name
        self.write = write
        self._process = _ProcessList()
        self._redis = _RedisList(name)

    def _list(self) -> _ProcessList | _RedisList:
        return self._redis if cache_is_shared() else self._process

    def __len__(self) -> int:
        return len(self._list())

    def add(self, row: Row) -> int:
        """Queues ``row`` (writes it at once if Redis is down, rather than lose it); returns how
        many rows wait."""
        try:
            return self._list().push(row)
        except (RedisError, OSError) as error:
            logger.warning("Buffer %s unavailable, writing the row directly: %s", self.name, error)
            self.write([tuple(row)])
            return 0

    def discard(self) -> int:
        """Drops every waiting row (a test starting afresh); returns how many went."""
        return len(self._list().take(2**31))

    def flush(self, *, batch_size: int = 500, source: _ProcessList | _RedisList | None = None) -> int:
        """Writes every waiting row; returns what ``write`` reported (rows that counted)."""
        source = source or self._list()
        done = 0
        while batch := source.take(batch_size):
            try:
                done += self.write(batch)
            except Exception:
                for row in batch:  # back in the buffer for the next flush, then the error shows
                    source.push(row)
                raise
        return done


_buffers: dict[str, WriteBuffer] = {}


def register(name: str, write: Callable[[list], int]) -> WriteBuffer:
    """The buffer called ``name`` whose rows ``write`` stores."""
    _buffers[name] = WriteBuffer(name, write)
    return _buffers[name]


def buffers() -> list[WriteBuffer]:
    return list(_buffers.values())


def flush_all() -> dict[str, int]:
    """Writes every buffer now: {name: rows that counted}."""
    return {buffer.name: buffer.flush() for buffer in buffers()}


def flush_if_due() -> bool:
    """Flushes every buffer if one is full or the last flush is ``FLUSH_SECONDS`` old; for POSTs."""
    if not (any(len(buffer) >= BATCH_SIZE for buffer in buffers()) or cache.add(FLUSH_DUE_KEY, 1, FLUSH_SECONDS)):
        return False
    from .tasks import flush_write_buffers

    flush_write_buffers.enqueue()  # runs now when tasks run inline
    return True


@atexit.register
def flush_process_lists() -> None:
    """A process with rows in its own lists writes them before it goes (a gunicorn restart)."""
    for buffer in buffers():
        if len(buffer._process):
            try:
                buffer.flush(source=buffer._process)
            except Exception:  # the database may be gone already; nothing more can be done
                logger.exception("Could not write %d buffered %s at exit", len(buffer._process), buffer.name)
