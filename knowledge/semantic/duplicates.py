"""Near-duplicates: "already shared?" while a rep writes, and pairs of tips for marketing to merge.

Thresholds are cosine similarities of all-MiniLM-L6-v2, measured on
``evaluation.NEAR_DUPLICATES`` and ``NOT_DUPLICATES``:

* a title being typed against stored tips: its duplicate scored 0.59-0.81 (11 of
  12 at 0.6 or more); texts on the same subjects that are other tips scored at
  most 0.67 (3 of 12 at 0.6 or more, each a close cousin worth a look);
* tip against tip: a rewritten duplicate scored 0.84 or more, distinct tips of
  the paraphrase set at most 0.68 (0.49 at p99).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from django.core.cache import cache
from django.utils.text import Truncator

from . import encoder
from .indexing import MICROPOST, TIP, model_for
from .store import nearest
from .vector_index import VectorIndex, content_type_id_for

ALREADY_SHARED_MIN_SCORE = 0.6
ALREADY_SHARED_LIMIT = 3
MIN_WORDS = 3  # fewer words say too little to compare
PAIR_MIN_SCORE = 0.8
PAIR_LIMIT = 100
PAIR_BLOCK = 1024  # rows compared at once: 1024 x n float32 scores stay small


@dataclass(frozen=True)
class NearDuplicate:
    kind: str  # "Tip" or "Micropost"
    title: str
    url: str
    score: float
    obj: object


def already_shared(
    text: str, *, limit: int = ALREADY_SHARED_LIMIT, min_score: float = ALREADY_SHARED_MIN_SCORE
) -> list[NearDuplicate]:
    """Existing live tips and microposts that say nearly the same as text, most similar first."""
    text = " ".join(text.split())[:1000]
    tip_model, post_model = model_for(TIP), model_for(MICROPOST)
    if not encoder.is_enabled() or len(text.split()) < MIN_WORDS:
        return []
    hits = nearest(text, models=[tip_model, post_model], k=limit + 5, min_score=min_score)
    tip_type = content_type_id_for(tip_model)
    tip_ids = [hit.object_id for hit in hits if hit.content_type_id == tip_type]
    post_ids = [hit.object_id for hit in hits if hit.content_type_id != tip_type]
    tips = {tip.pk: tip for tip in tip_model.objects.listed().filter(pk__in=tip_ids).defer_streamfields()}
    posts = {post.pk: post for post in post_model.objects.filter(pk__in=post_ids)} if post_ids else {}
    found = []
    for hit in hits:
        if hit.content_type_id == tip_type and hit.object_id in tips:
            tip = tips[hit.object_id]
            found.append(NearDuplicate("Tip", tip.title, tip.url, hit.score, tip))
        elif hit.content_type_id != tip_type and hit.object_id in posts:
            post = posts[hit.object_id]
            found.append(
                NearDuplicate("Micropost", Truncator(post.text).chars(100), post.get_absolute_url(), hit.score, post)
            )
    return found[:limit]


@dataclass(frozen=True)
class DuplicatePair:
    first: object
    second: object
    score: float


def possible_duplicate_pairs(*, min_score: float = PAIR_MIN_SCORE, limit: int = PAIR_LIMIT) -> list[DuplicatePair]:
    """Pairs of live tips whose meaning is nearly the same, most similar first.

    Compares every live tip with every other (block by block, in memory), so the
    result is cached until a tip's vector changes.
    """
    tip_model = model_for(TIP)
    if not encoder.is_enabled() or tip_model is None:
        return []
    index = VectorIndex.for_content_type(tip_model)
    index.refresh()
    snapshot = index._snapshot
    if snapshot is None or not len(snapshot.keys):
        return []
    live = set(tip_model.objects.listed().values_list("pk", flat=True))
    parts = f"{snapshot.signature}:{sorted(live)}:{min_score}:{limit}"
    key = f"semantic:duplicate-pairs:{hashlib.sha1(parts.encode()).hexdigest()}"  # a key any cache accepts
    scored = cache.get(key)
    if scored is None:
        scored = _similar_rows(snapshot, live, min_score, limit)
        cache.set(key, scored, 3600)
    tips = (
        tip_model.objects.filter(pk__in={pk for pair in scored for pk in pair[:2]})
        .select_related("author", "account")
        .defer_streamfields()
    )
    by_id = {tip.pk: tip for tip in tips}
    return [DuplicatePair(by_id[a], by_id[b], score) for a, b, score in scored if a in by_id and b in by_id]


def _similar_rows(snapshot, live: set[int], min_score: float, limit: int) -> list[tuple[int, int, float]]:
    object_ids = snapshot.object_ids
    rows = np.flatnonzero(np.isin(object_ids, np.fromiter(live, np.int64, len(live))))
    # One vector per tip: the first chunk of each object.
    rows = rows[np.isin(rows, snapshot.segment_starts)]
    vectors = snapshot.matrix[rows].astype(np.float32) * snapshot.scales[rows, None]
    ids = object_ids[rows]
    found: list[tuple[int, int, float]] = []
    for start in range(0, len(rows), PAIR_BLOCK):
        scores = vectors[start : start + PAIR_BLOCK] @ vectors.T
        for offset, other in zip(*np.nonzero(scores >= min_score), strict=True):
            row = start + offset
            if other > row:  # each pair once, never a tip with itself
                found.append((int(ids[row]), int(ids[other]), round(float(scores[offset, other]), 3)))
    found.sort(key=lambda pair: -pair[2])
    return found[:limit]
