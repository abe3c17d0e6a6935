"""A text progress bar for long commands (imports, index rebuilds, demo data), drawn on stderr."""

import sys
import time
from collections.abc import Iterable, Iterator
from typing import TextIO, TypeVar

T = TypeVar("T")


class Progress:
    """Counts work done and redraws one line at most a few times a second."""

    def __init__(self, label: str, total: int | None, stream: TextIO | None = None, *, enabled: bool = True):
        self.label, self.total, self.done = label, total, 0
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.started = self._last_draw = time.monotonic()

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = time.monotonic()
        if self.enabled and now - self._last_draw >= 0.25:
            self._last_draw = now
            self._draw()

    def _draw(self, end: str = "\r") -> None:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.done / elapsed
        if self.total:
            share = min(self.done / self.total, 1.0)
            bar = "#" * int(share * 30)
            line = f"{self.label}: [{bar:<30}] {self.done:,}/{self.total:,} {share:4.0%} ({rate:,.0f}/s)"
        else:
            line = f"{self.label}: {self.done:,} ({rate:,.0f}/s)"
        self.stream.write(line + end)
        self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            self._draw(end="\n")


def progress(
    items: Iterable[T], label: str, *, total: int | None = None, stream: TextIO | None = None, enabled: bool = True
) -> Iterator[T]:
    """Yields ``items`` unchanged while drawing a progress bar for them."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    bar = Progress(label, total, stream, enabled=enabled)
    for item in items:
        yield item
        bar.advance()
    bar.finish()
