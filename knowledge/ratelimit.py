"""A per-user posting limit ("10/60": ten posts in any sixty seconds) kept in the shared cache.

A fixed window let twice the limit through across its boundary. Here the window slides: posts
are counted in short buckets (a sixtieth of the window, at least a second), and a post is
allowed only while the buckets that touch the last ``window`` seconds hold fewer than ``limit``.
A bucket that is partly older than the window still counts whole, so the limit errs on the
strict side and no span of ``window`` seconds ever holds more than ``limit`` posts.

The counter is raised first and checked after (``incr`` is atomic on Redis and locmem), so two
requests at once can both be refused but never both let through over the limit; a refused
post gives its count back.
"""

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse


class RateLimited(Exception):
    """The user posted too often; the message says how long to wait, ``retry_after`` in seconds."""

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def parse_rate(rate: str) -> tuple[int, int]:
    count, _, seconds = rate.partition("/")
    return int(count), int(seconds or 60)


def _bucket_seconds(window: int) -> int:
    return max(1, window // 60)


def check_post_rate(user, *, action: str = "post", now: float | None = None) -> None:
    """Counts one post by ``user``; raises RateLimited when the last window already holds the limit."""
    limit, window = parse_rate(settings.POST_RATE_LIMIT)
    try:
        check_rate(f"ratelimit:{action}:{user.pk}", settings.POST_RATE_LIMIT, now=now)
    except RateLimited as error:
        wait = error.retry_after
        raise RateLimited(
            f"You're posting too fast: at most {limit} post{'s' if limit != 1 else ''} every {window} seconds. "
            f"Try again in {wait} second{'s' if wait != 1 else ''}.",
            retry_after=wait,
        ) from None


def check_rate(name: str, rate: str, *, now: float | None = None) -> None:
    """Counts one event under ``name``; raises RateLimited when the last window already holds the limit."""
    limit, window = parse_rate(rate)
    size = _bucket_seconds(window)
    now = time.time() if now is None else now
    current = int(now // size)
    oldest = int((now - window) // size)  # partly outside the window, still counted
    prefix = f"{name}:"
    key = f"{prefix}{current}"
    cache.add(key, 0, timeout=window + 2 * size)
    try:
        cache.incr(key)
    except ValueError:  # the bucket expired between add and incr
        cache.set(key, 1, timeout=window + 2 * size)
    keys = [f"{prefix}{bucket}" for bucket in range(oldest, current + 1)]
    found = cache.get_many(keys)
    counts = [int(found.get(bucket_key) or 0) for bucket_key in keys]
    if sum(counts) <= limit:
        return
    try:
        cache.decr(key)  # a refused event does not count
    except ValueError:
        pass
    counts[-1] = max(0, counts[-1] - 1)
    wait = _wait(counts, oldest, size, window, limit, now)
    raise RateLimited(f"At most {limit} every {window} seconds; try again in {wait} seconds.", retry_after=wait)


def _wait(counts: list[int], oldest: int, size: int, window: int, limit: int, now: float) -> int:
    """Seconds until enough old buckets leave the window for one more post."""
    remaining = sum(counts)
    for offset, count in enumerate(counts):
        remaining -= count
        if remaining < limit:
            leaves_at = (oldest + offset + 1) * size + window
            return max(1, math.ceil(leaves_at - now))
    return window


def limit_valid_form(form, user, *, action: str = "post") -> RateLimited | None:
    """Counts a valid ``form``'s post against the limit; over it, the form gets the wait as its error.

    The form keeps what the person typed; the view answers it with ``too_many_requests``.
    """
    if not form.is_valid():
        return None
    try:
        check_post_rate(user, action=action)
    except RateLimited as error:
        form.add_error(None, str(error))
        return error
    return None


def too_many_requests(response: HttpResponse, error: RateLimited) -> HttpResponse:
    """``response`` (the form, with what the person typed) as 429 Too Many Requests with Retry-After."""
    response.status_code = 429
    response["Retry-After"] = str(error.retry_after)
    return response
