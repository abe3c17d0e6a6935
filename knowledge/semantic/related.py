"""Related tips: the live tips nearest in meaning to a tip or a coaching video.

The nearest neighbours of each page are kept in this process with the vector snapshots they were
found in. When vectors change (a tip is shared or edited somewhere), a kept list is brought up to
date instead of scanning every tip vector again: the tips that changed are taken out and scored
anew against the page, and enter the list if they now beat what is outside it. That is the same
answer a scan gives, for the price of a few dot products; the list is found afresh when the page's
own vector changed, when the index no longer knows what changed, or when it grows too short.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.db.models import Model

from . import encoder
from .indexing import TIP, model_for
from .store import content_type_id_for, similar_to, snapshot_numbers
from .vector_index import VectorIndex

RELATED_TIPS = 5
# Asked for beyond the five so that retired or unpublished neighbours, dropped after, leave five.
SPARE = 10
KEPT_PAGES = 4096  # pages whose neighbours are kept (a few hundred bytes each)


@dataclass(frozen=True)
class _Neighbours:
    numbers: tuple  # the snapshots (content type id, number) they were found in
    ids: list[int]  # best first
    scores: list[float]
    floor: float  # no tip outside ``ids`` scores above this


_kept: OrderedDict[tuple, _Neighbours] = OrderedDict()
_kept_lock = threading.Lock()


def nearest_tip_ids(obj: Model, tip_model: type[Model], *, k: int) -> list[int]:
    """The ids of the k tips nearest to obj, best first; kept, and brought up to date as vectors change."""
    numbers = snapshot_numbers(list(dict.fromkeys([tip_model, type(obj)])))
    key = (content_type_id_for(obj), obj.pk, k)
    with _kept_lock:
        kept = _kept.get(key)
        if kept is not None:
            _kept.move_to_end(key)
    if kept is not None and kept.numbers == numbers:
        return kept.ids
    found = _updated(kept, obj, tip_model, numbers, k) if kept is not None else None
    if found is None:
        hits = similar_to(obj, k=k, models=[tip_model])
        floor = hits[-1].score if len(hits) >= k else float("-inf")
        found = _Neighbours(numbers, [hit.object_id for hit in hits], [hit.score for hit in hits], floor)
    with _kept_lock:
        _kept[key] = found
        while len(_kept) > KEPT_PAGES:
            _kept.popitem(last=False)
    return found.ids


def _updated(kept: _Neighbours, obj: Model, tip_model: type[Model], numbers: tuple, k: int) -> _Neighbours | None:
    """``kept`` as a scan of ``numbers`` would find it, or None when it must be found afresh."""
    changed: dict[int, frozenset[int]] = {}
    for (content_type_id, before), (_, after) in zip(kept.numbers, numbers, strict=True):
        if before != after:
            ids = VectorIndex.for_content_type(content_type_id).changed_between(before, after)
            if ids is None:
                return None
            changed[content_type_id] = ids
    if obj.pk in changed.get(content_type_id_for(obj), ()):
        return None  # the page's own meaning moved: every score does
    tip_index = VectorIndex.for_content_type(tip_model)
    moved = changed.get(tip_index.content_type_id, frozenset()) - ({obj.pk} if isinstance(obj, tip_model) else set())
    pairs = [(pk, score) for pk, score in zip(kept.ids, kept.scores, strict=True) if pk not in moved]
    if moved:
        query = VectorIndex.for_content_type(type(obj)).vector_of(obj.pk)
        if query is None:
            return None
        pairs += [(pk, score) for pk, score in tip_index.object_scores(query, moved).items() if score > kept.floor]
        pairs.sort(key=lambda pair: -pair[1])
    floor = max([kept.floor, *(score for _, score in pairs[k:])])
    pairs = pairs[:k]
    if kept.floor != float("-inf") and len(pairs) < k - SPARE // 2:
        return None  # changed tips left the list: too few known to be the nearest
    return _Neighbours(numbers, [pk for pk, _ in pairs], [score for _, score in pairs], floor)


def forget_kept() -> None:
    """Drop every kept neighbour list (tests, and a benchmark timing first views)."""
    with _kept_lock:
        _kept.clear()


def related_tips(obj: Model, *, limit: int = RELATED_TIPS) -> list:
    """Up to ``limit`` live, unretired tips nearest to obj by meaning, obj itself left out; one query."""
    tip_model = model_for(TIP)
    if not encoder.is_enabled() or tip_model is None or obj.pk is None:
        return []
    ids = nearest_tip_ids(obj, tip_model, k=limit + SPARE)
    if not ids:
        return []
    tips = {
        tip.pk: tip
        for tip in tip_model.objects.listed()
        .filter(pk__in=ids)
        .exclude(pk=obj.pk)
        .select_related("account")
        .defer_streamfields()
    }
    return [tips[pk] for pk in ids if pk in tips][:limit]
