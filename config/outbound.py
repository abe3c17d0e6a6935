"""Whether what happens now may send messages out of Huddle (e-mail, chat webhooks).

The demo seed creates real activity (pitch reviews, replies) through the same code a person's
action runs, so its notifications are recorded as any others are; inside ``held()`` they reach
the bell only, and nobody is e-mailed or posted to about data that was made up.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_held: ContextVar[bool] = ContextVar("outbound_held", default=False)


@contextmanager
def held() -> Iterator[None]:
    token = _held.set(True)
    try:
        yield
    finally:
        _held.reset(token)


def is_held() -> bool:
    return _held.get()
