"""Related tips: the live tips nearest in meaning to a tip or a coaching video.

The nearest neighbours of each page are kept in this process for the vectors they were found
in (the indexes' snapshot numbers): a page viewed again skips the scan of every tip vector
until some vector changes, and then finds its neighbours afresh.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from django.db.models import Model

from . import encoder
from .indexing import TIP, model_for
from .store import content_type_id_for, similar_to, snapshot_numbers

RELATED_TIPS = 5
# Asked for beyond the five so that retired or unpublished neighbours, dropped after, leave five.
SPARE = 10
KEPT_PAGES = 4096  # pages whose neighbours are kept (a few hundred bytes each)

_kept: OrderedDict[tuple, list[int]] = OrderedDict()
_kept_lock = threading.Lock()


def nearest_tip_ids(obj: Model, tip_model: type[Model], *, k: int) -> list[int]:
    """The ids of the k tips nearest to obj, best first; kept until a tip's or obj's vector changes."""
    key = (content_type_id_for(obj), obj.pk, k, snapshot_numbers(list(dict.fromkeys([tip_model, type(obj)]))))
    with _kept_lock:
        ids = _kept.get(key)
        if ids is not None:
            _kept.move_to_end(key)
            return ids
    ids = [hit.object_id for hit in similar_to(obj, k=k, models=[tip_model])]
    with _kept_lock:
        _kept[key] = ids
        while len(_kept) > KEPT_PAGES:
            _kept.popitem(last=False)
    return ids


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
