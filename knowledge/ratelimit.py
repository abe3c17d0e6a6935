"""A per-user posting limit ("10/60": ten posts per sixty seconds) kept in the cache."""

import time

from django.conf import settings
from django.core.cache import cache


class RateLimited(Exception):
    """The user posted too often; the message says how long to wait."""


def parse_rate(rate: str) -> tuple[int, int]:
    count, _, seconds = rate.partition("/")
    return int(count), int(seconds or 60)


def check_post_rate(user, *, action: str = "post") -> None:
    """Counts one post by ``user``; raises RateLimited when the window's allowance is used up."""
    limit, window = parse_rate(settings.POST_RATE_LIMIT)
    now = int(time.time())
    window_start = now - now % window
    key = f"ratelimit:{action}:{user.pk}:{window_start}"
    # add() only creates the counter; incr() is atomic on Redis and locmem alike.
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=window + 1)
        count = 1
    if count > limit:
        wait = window_start + window - now
        raise RateLimited(
            f"You're posting too fast: at most {limit} posts every {window} seconds. "
            f"Try again in {wait} second{'s' if wait != 1 else ''}."
        )
