"""Fusing keyword and meaning results so that neither spoils the other.

Score-mixing (reciprocal rank fusion, weighted sums) was seen to push right
keyword hits for a misspelt query below loosely related neighbours by meaning.
Here the keyword side keeps its order; meaning adds what it lacks:

* Confident keyword results (at least ``confident_count`` hits): keyword order
  throughout, and only strong meaning-only hits fill the places after them.
* Few keyword results: the keyword hits that score near the best one keep the
  top places; meaning-only hits come next, a very close one may pass the weak
  keyword hits (those far below the best keyword score), then the rest fill in.

Thresholds are cosine similarities of all-MiniLM-L6-v2. On the paraphrase set in
``evaluation.py`` a query scored its target at 0.32 (median, 0.10-0.55) and the
other tips at 0.13 (median; 0.28 at p90, 0.40 at p99), so only a score of 0.45 or
more is trusted to pass a keyword hit, and meaning-only hits are capped in number.
The site search fills from 0.26 (knowledge/sitesearch/meaning.py): the nonsense queries
in ``evaluation.NONSENSE`` score at most 0.253 against those tips.
"""

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class FusedHit:
    key: Hashable
    by_meaning: bool  # found by meaning alone: show "related by meaning"
    keyword_rank: int | None  # 1-based place in the keyword results
    meaning_score: float | None


def fuse(
    keyword_hits: Sequence[Hashable],
    meaning_hits: Mapping[Hashable, float] | Iterable[tuple[Hashable, float]],
    *,
    keyword_scores: Sequence[float] | None = None,
    limit: int = 20,
    confident_count: int = 5,
    weak_fraction: float = 0.35,
    fill_min_score: float = 0.25,
    overtake_min_score: float = 0.45,
    confident_fill_min_score: float = 0.5,
    meaning_limit: int = 5,
) -> list[FusedHit]:
    """One ranked list from keyword hits (best first) and (key, cosine) meaning hits.

    ``keyword_scores``, parallel to ``keyword_hits``, lets a keyword hit far below
    the best one (under ``weak_fraction`` of its score) count as weak. At most
    ``meaning_limit`` results are found by meaning alone.
    """
    meaning = dict(meaning_hits.items() if isinstance(meaning_hits, Mapping) else meaning_hits)
    keyword: list[Hashable] = list(dict.fromkeys(keyword_hits))  # keeps the first of repeats
    if keyword_scores is not None:
        first_score = dict(zip(reversed(keyword_hits), reversed(keyword_scores), strict=True))
        scores = [first_score[key] for key in keyword]
    else:
        scores = [None] * len(keyword)
    in_keyword = set(keyword)
    meaning_only = sorted(
        ((key, score) for key, score in meaning.items() if key not in in_keyword),
        key=lambda pair: -pair[1],
    )[:meaning_limit]

    def keyword_hit(position: int) -> FusedHit:
        key = keyword[position]
        return FusedHit(key, False, position + 1, meaning.get(key))

    def meaning_hit(key, score) -> FusedHit:
        return FusedHit(key, True, None, score)

    if len(keyword) >= confident_count:
        fused = [keyword_hit(i) for i in range(len(keyword))]
        fused += [meaning_hit(k, s) for k, s in meaning_only if s >= confident_fill_min_score]
        return fused[:limit]

    best = scores[0] if scores and scores[0] is not None else None
    strong, weak = [], []
    for i, score in enumerate(scores):
        is_weak = i > 0 and best is not None and score is not None and score < weak_fraction * best
        (weak if is_weak else strong).append(keyword_hit(i))
    overtaking = [meaning_hit(k, s) for k, s in meaning_only if s >= overtake_min_score]
    filling = [meaning_hit(k, s) for k, s in meaning_only if fill_min_score <= s < overtake_min_score]
    return (strong + overtaking + weak + filling)[:limit]
