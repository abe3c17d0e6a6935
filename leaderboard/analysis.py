"""Sharing versus results: rank correlation with a bootstrap interval, quartile medians, tenure.

Everything here describes an association between two numbers per rep; none of it shows that
sharing causes revenue (good reps may simply do both).
"""

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from django.core.cache import cache

from .scoring import Row

MIN_REPS = 10
# Below these, ranks are mostly ties and a coefficient (with its interval) would mean nothing.
MIN_ABOVE_ZERO = 5  # reps with a sharing score, and reps with revenue, above zero
MAX_TIED_SHARE = 0.5  # of reps sharing one and the same value in either column
RESAMPLES = 1000
SEED = 20261126  # fixed, so the same data always gives the same interval
TENURE_BANDS = [("Under 1 year", 0, 1), ("1 to 3 years", 1, 3), ("3 years or more", 3, 200)]


def rankdata(values: np.ndarray) -> np.ndarray:
    """Ranks from 1, ties sharing their average rank (as Spearman's coefficient needs)."""
    order = np.argsort(values, kind="mergesort")
    inverse = np.empty(len(values), dtype=np.intp)
    inverse[order] = np.arange(len(values))
    ordered = values[order]
    first = np.r_[True, ordered[1:] != ordered[:-1]]
    dense = first.cumsum()[inverse]
    bounds = np.r_[np.nonzero(first)[0], len(first)]
    return 0.5 * (bounds[dense] + bounds[dense - 1] + 1)


def _pearson(a: np.ndarray, b: np.ndarray) -> float | None:
    a, b = a - a.mean(), b - b.mean()
    denominator = np.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / denominator) if denominator > 0 else None


def spearman(x, y) -> float | None:
    """Spearman's rank correlation; None when either variable does not vary."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) < 3:
        return None
    return _pearson(rankdata(x), rankdata(y))


def partial_spearman(x, y, z) -> float | None:
    """Rank correlation of x and y with z (tenure) held constant."""
    x, y, z = (rankdata(np.asarray(values, dtype=float)) for values in (x, y, z))
    r_xy, r_xz, r_yz = _pearson(x, y), _pearson(x, z), _pearson(y, z)
    if None in (r_xy, r_xz, r_yz) or abs(r_xz) >= 1 or abs(r_yz) >= 1:
        return None
    return (r_xy - r_xz * r_yz) / float(np.sqrt((1 - r_xz**2) * (1 - r_yz**2)))


def resampled_ranks(values: np.ndarray, picks: np.ndarray, centre: float = 0.0) -> np.ndarray:
    """``rankdata(values[row])`` for every row of ``picks`` at once, without sorting a resample;
    less ``centre`` when given.

    Within a resample, a value's rank is how many picks are below it plus half of one more than
    the picks equal to it: counts per distinct value, summed along, give every row's ranks.
    """
    distinct, group = np.unique(values, return_inverse=True)
    picked = group[picks]
    rows, width = picks.shape[0], len(distinct)
    flat = (picked + np.arange(rows)[:, None] * width).ravel()
    counts = np.bincount(flat, minlength=rows * width).reshape(rows, width)
    ranks = np.cumsum(counts, axis=1) - (counts - 1) / 2 - centre
    return np.take_along_axis(ranks, picked, axis=1)


def _pearson_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson's coefficient of each row pair of centred ranks; NaN where a row does not vary."""
    denominator = np.sqrt(np.einsum("ij,ij->i", a, a) * np.einsum("ij,ij->i", b, b))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, np.einsum("ij,ij->i", a, b) / denominator, np.nan)


def _spearman_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return _pearson_rows(x, y)


def _partial_spearman_rows(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
    r_xy, r_xz, r_yz = _pearson_rows(x, y), _pearson_rows(x, z), _pearson_rows(y, z)
    with np.errstate(divide="ignore", invalid="ignore"):
        partial = (r_xy - r_xz * r_yz) / np.sqrt((1 - r_xz**2) * (1 - r_yz**2))
    return np.where((np.abs(r_xz) < 1) & (np.abs(r_yz) < 1), partial, np.nan)


BLOCK = 250  # resamples ranked at once: bounds memory for large teams


def _bootstrap(rows_statistic, columns, *, resamples: int, level: float) -> tuple[float, float] | None:
    """Percentile bootstrap interval: resample reps with replacement, recompute the statistic on
    each resample's ranks (all resamples of a block at once)."""
    arrays = [np.asarray(column, dtype=float) for column in columns]
    size = len(arrays[0])
    if size < 3:
        return None
    generator = np.random.default_rng(SEED)
    values = []
    for start in range(0, resamples, BLOCK):
        picks = generator.integers(0, size, (min(BLOCK, resamples - start), size))
        # Ranks of n values always average (n + 1) / 2, ties or not: centred without a pass.
        values.append(rows_statistic(*(resampled_ranks(array, picks, (size + 1) / 2) for array in arrays)))
    found = np.concatenate(values)
    found = found[~np.isnan(found)]
    if len(found) < resamples / 2:
        return None
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(found, [tail, 100 - tail])
    return float(low), float(high)


def bootstrap_spearman(x, y, *, resamples: int = RESAMPLES, level: float = 0.95) -> tuple[float, float] | None:
    """An interval for ``spearman(x, y)``."""
    return _bootstrap(_spearman_rows, (x, y), resamples=resamples, level=level)


def bootstrap_partial_spearman(
    x, y, z, *, resamples: int = RESAMPLES, level: float = 0.95
) -> tuple[float, float] | None:
    """An interval for ``partial_spearman(x, y, z)``."""
    return _bootstrap(_partial_spearman_rows, (x, y, z), resamples=resamples, level=level)


# An interval is a pure function of its figures: kept under their digest, it is never stale.
INTERVAL_SECONDS = 24 * 3600
MISSING = object()


def remembered_interval(bootstrap, *columns) -> tuple[float, float] | None:
    """``bootstrap(*columns)``, from the cache when the same figures were resampled before."""
    digest = hashlib.sha256(bootstrap.__name__.encode())
    for column in columns:
        digest.update(np.asarray(column, dtype=float).tobytes())
        digest.update(b"|")
    key = f"huddle:interval:{RESAMPLES}:{SEED}:{digest.hexdigest()}"
    found = cache.get(key, MISSING)
    if found is MISSING:
        found = bootstrap(*columns)
        cache.set(key, found, INTERVAL_SECONDS)
    return found


@dataclass
class Band:
    label: str
    n: int
    rho: float | None
    top_median: float | None
    bottom_median: float | None


@dataclass
class Analysis:
    n: int
    enough: bool
    points: list[dict] = field(default_factory=list)
    too_little_because: list[str] = field(default_factory=list)
    rho: float | None = None
    interval: tuple[float, float] | None = None
    top_median: float | None = None
    bottom_median: float | None = None
    quarter_size: int = 0
    partial_rho: float | None = None
    partial_interval: tuple[float, float] | None = None
    tenure_known: int = 0
    bands: list[Band] = field(default_factory=list)

    @property
    def strength(self) -> str:
        """Plain words for the coefficient's size (Cohen's usual cut-offs)."""
        if self.rho is None:
            return "no measurable"
        size = abs(self.rho)
        word = "negligible" if size < 0.1 else "weak" if size < 0.3 else "moderate" if size < 0.5 else "strong"
        return f"{word} {'positive' if self.rho > 0 else 'negative'}" if word != "negligible" else word

    @property
    def interval_excludes_zero(self) -> bool:
        return bool(self.interval) and (self.interval[0] > 0 or self.interval[1] < 0)


def quarter_medians(scores, revenues) -> tuple[float | None, float | None, int]:
    """Median revenue of the top and the bottom quarter of reps by sharing score."""
    pairs = sorted(zip(scores, revenues, strict=True), key=lambda pair: pair[0])
    quarter = len(pairs) // 4
    if quarter == 0:
        return None, None, 0
    bottom = [revenue for _, revenue in pairs[:quarter]]
    top = [revenue for _, revenue in pairs[-quarter:]]
    return float(np.median(top)), float(np.median(bottom)), quarter


def too_little_spread(scores, revenues) -> list[str]:
    """Why these figures are too flat to rank-correlate, in words; empty when they are not."""
    n = len(scores)
    if n < MIN_REPS:
        return [
            f"There {'is' if n == 1 else 'are'} only {n} rep{'' if n == 1 else 's'} in this "
            f"selection. With fewer than {MIN_REPS} reps any correlation is mostly chance."
        ]
    reasons = []
    for what, values in (("a sharing score", scores), ("closed-won revenue", revenues)):
        above_zero = sum(1 for value in values if value > 0)
        if above_zero < MIN_ABOVE_ZERO:
            reasons.append(
                f"Only {above_zero} of {n} reps have {what} above zero; at least "
                f"{MIN_ABOVE_ZERO} are needed, or the ranks are mostly ties at zero."
            )
            continue
        value, tied = Counter(values).most_common(1)[0]
        if tied > n * MAX_TIED_SHARE:
            reasons.append(
                f"{tied} of {n} reps have exactly the same {what.removeprefix('a ')}"
                f"{' (zero)' if value == 0 else ''}; with most reps tied, ranks say little."
            )
    return reasons


def tenure_band(years: float | None) -> str:
    if years is None:
        return "Tenure unknown"
    return next(label for label, low, high in TENURE_BANDS if low <= years < high)


def analyse(rows: list[Row], *, on: date) -> Analysis:
    """The figures for the analysis page; when they are too few or too flat, only why."""
    points = [
        {
            "name": row.name,
            "username": row.username,
            "score": row.score,
            "revenue": float(row.revenue),
            "tenure": row.tenure_years(on),
            "band": tenure_band(row.tenure_years(on)),
        }
        for row in rows
    ]
    scores = [point["score"] for point in points]
    revenues = [point["revenue"] for point in points]
    reasons = too_little_spread(scores, revenues)
    result = Analysis(n=len(points), enough=not reasons, points=points, too_little_because=reasons)
    if not result.enough:
        return result
    result.rho = spearman(scores, revenues)
    result.interval = remembered_interval(bootstrap_spearman, scores, revenues) if result.rho is not None else None
    result.top_median, result.bottom_median, result.quarter_size = quarter_medians(scores, revenues)
    with_tenure = [point for point in points if point["tenure"] is not None]
    result.tenure_known = len(with_tenure)
    if len(with_tenure) >= MIN_REPS:
        columns = (
            [p["score"] for p in with_tenure],
            [p["revenue"] for p in with_tenure],
            [p["tenure"] for p in with_tenure],
        )
        result.partial_rho = partial_spearman(*columns)
        if result.partial_rho is not None:
            result.partial_interval = remembered_interval(bootstrap_partial_spearman, *columns)
    for label, _, _ in [*TENURE_BANDS, ("Tenure unknown", 0, 0)]:
        members = [point for point in points if point["band"] == label]
        if not members:
            continue
        band_scores = [point["score"] for point in members]
        band_revenues = [point["revenue"] for point in members]
        top, bottom, _ = quarter_medians(band_scores, band_revenues)
        rho = spearman(band_scores, band_revenues) if len(members) >= MIN_REPS else None
        result.bands.append(Band(label, len(members), rho, top, bottom))
    return result
