"""How much demo data to seed, and what every seeding step is given."""

import random
from dataclasses import dataclass, field
from typing import TextIO

from ..progress import progress

BATCH = 1000  # rows per bulk insert


@dataclass(frozen=True)
class Size:
    name: str
    reps: int
    accounts: int
    tips: int
    microposts: int
    videos: int
    deals: int
    activity_events: int
    commented_tips: int = 0  # tips that get a short discussion (the demo only: benches keep theirs bare)


SIZES = {
    "small": Size(
        "small",
        reps=20,
        accounts=24,
        tips=20,  # one of each written tip and micropost: no repeats in the demo's search results
        microposts=15,
        videos=6,
        deals=200,
        activity_events=0,
        commented_tips=12,
    ),
    "large": Size(
        "large",
        reps=1_000,
        accounts=2_000,
        tips=20_000,
        microposts=100_000,
        videos=200,
        deals=100_000,
        activity_events=1_000_000,
    ),
}


@dataclass
class SeedContext:
    size: Size
    seed: int
    stdout: TextIO
    stderr: TextIO
    verbosity: int = 1
    summary: dict[str, int] = field(default_factory=dict)

    def __post_init__(self):
        self.random = random.Random(self.seed)

    def progress(self, items, label, total=None):
        return progress(items, label, total=total, stream=self.stderr, enabled=self.verbosity > 0)
