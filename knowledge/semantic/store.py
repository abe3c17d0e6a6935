"""Searching by meaning: a text or a vector to the nearest items, across content types.

Vectors are written by ``writing`` and held in memory by ``vector_index``; this module
embeds queries (keeping recent ones), searches the indexes and loads them at start-up.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache

import numpy as np
from django.db.models import Model

from . import encoder
from .models import Embedding
from .vector_index import Hit, VectorIndex, content_type_id_for, unit

__all__ = [
    "Hit",
    "content_type_id_for",
    "nearest",
    "nearest_soon",
    "similar_to",
    "snapshot_numbers",
    "vector_of",
    "warm_up",
]

QUERY_CACHE_SIZE = 512  # recent query texts whose vectors (1.5 KB each) and nearest hits are kept


@lru_cache(maxsize=QUERY_CACHE_SIZE)
def _embedded_query(text: str, model_name: str) -> np.ndarray:
    """A query's vector, kept for the next page of results or the next person asking the same."""
    vector = encoder.embed([text])[0]
    vector.flags.writeable = False
    return vector


def forget_recent_queries() -> None:
    """Drop the kept query vectors and nearest hits (a benchmark timing first searches)."""
    _embedded_query.cache_clear()
    with _recent_hits_lock:
        _recent_hits.clear()


def _query_vector(query: str | np.ndarray) -> np.ndarray:
    if isinstance(query, str):
        return _embedded_query(" ".join(query.split()), encoder.model_name())
    return unit(query)


def _content_type_ids(models_: Sequence[type[Model] | int] | None) -> list[int]:
    if models_ is None:
        return list(Embedding.objects.order_by().values_list("content_type_id", flat=True).distinct())
    return [content_type_id_for(m) for m in models_]


def nearest(
    query: str | np.ndarray,
    *,
    models: Sequence[type[Model] | int] | None = None,
    k: int = 10,
    exclude: Iterable[Model] = (),
    allowed_ids: Mapping[type[Model] | int, Collection[int]] | None = None,
    per_object: bool = True,
    min_score: float | None = None,
) -> list[Hit]:
    """The k items nearest in meaning to a text or a vector, best first, across the given models.

    ``allowed_ids`` maps a model to the only ids it may return (live, permitted
    content); a model missing from the mapping is unrestricted. Empty when
    SEMANTIC_SEARCH is off.
    """
    if not encoder.is_enabled():
        return []
    search, _ = _prepared_search(
        models, k=k, exclude=exclude, allowed_ids=allowed_ids, per_object=per_object, min_score=min_score
    )
    return search(_query_vector(query))


_query_pool: ThreadPoolExecutor | None = None
_query_pool_lock = threading.Lock()
# Nearest hits of recent query texts, by the snapshots they were found in: a next page, or the next
# person asking the same, skips the scan until a vector of those models changes.
_recent_hits: OrderedDict[tuple, list[Hit]] = OrderedDict()
_recent_hits_lock = threading.Lock()


def nearest_soon(
    query: str,
    *,
    models: Sequence[type[Model] | int] | None = None,
    k: int = 10,
    min_score: float | None = None,
) -> Future:
    """nearest() for a query text, started on another thread to overlap other work such as the keyword search.

    The indexes are brought up to date here, with this thread's database connection;
    the other thread only embeds the query and scores it, which ONNX Runtime, the
    tokenizer and numpy do mostly without the GIL. The future gives the hits.
    """
    global _query_pool
    done: Future = Future()
    if not encoder.is_enabled():
        done.set_result([])
        return done
    search, snapshot_numbers = _prepared_search(models, k=k, min_score=min_score)
    text, model_name = " ".join(query.split()), encoder.model_name()
    key = (text, model_name, k, min_score, snapshot_numbers)
    with _recent_hits_lock:
        hits = _recent_hits.get(key)
        if hits is not None:
            _recent_hits.move_to_end(key)
            done.set_result(list(hits))
            return done

    def find() -> list[Hit]:
        hits = search(_embedded_query(text, model_name))
        with _recent_hits_lock:
            _recent_hits[key] = hits
            while len(_recent_hits) > QUERY_CACHE_SIZE:
                _recent_hits.popitem(last=False)
        return list(hits)

    if _query_pool is None:
        with _query_pool_lock:
            if _query_pool is None:
                _query_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="nearest-query")
    return _query_pool.submit(find)


def _prepared_search(
    models: Sequence[type[Model] | int] | None,
    *,
    k: int,
    exclude: Iterable[Model] = (),
    allowed_ids: Mapping[type[Model] | int, Collection[int]] | None = None,
    per_object: bool = True,
    min_score: float | None = None,
) -> tuple[Callable[[np.ndarray], list[Hit]], tuple]:
    """Refreshes the indexes of models now; returns a search of their current vectors by a query vector,
    and the numbers of the snapshots it searches."""
    excluded: dict[int, set[int]] = {}
    for obj in exclude:
        excluded.setdefault(content_type_id_for(obj), set()).add(obj.pk)
    allowed = {content_type_id_for(m): ids for m, ids in (allowed_ids or {}).items()}
    snapshots = _refreshed_snapshots(models)
    numbers = tuple((index.content_type_id, snapshot.number if snapshot else 0) for index, snapshot in snapshots)

    def search(vector: np.ndarray) -> list[Hit]:
        hits: list[Hit] = []
        for index, snapshot in snapshots:
            hits += index._search(
                snapshot,
                vector,
                k=k,
                allowed_ids=allowed.get(index.content_type_id),
                exclude_ids=excluded.get(index.content_type_id, ()),
                per_object=per_object,
                min_score=min_score,
            )
        hits.sort(key=lambda hit: -hit.score)
        return hits[:k]

    return search, numbers


def _refreshed_snapshots(models: Sequence[type[Model] | int] | None) -> list[tuple[VectorIndex, object]]:
    """The models' indexes, brought up to date, each with the snapshot of vectors it now holds."""
    indexes = [VectorIndex.for_content_type(ct_id) for ct_id in _content_type_ids(models)]
    for index in indexes:
        index.refresh()
    return [(index, index._snapshot) for index in indexes]


def snapshot_numbers(models: Sequence[type[Model] | int]) -> tuple:
    """Which vectors these models' indexes hold now: the numbers change whenever a vector does."""
    return tuple(
        (index.content_type_id, snapshot.number if snapshot else 0) for index, snapshot in _refreshed_snapshots(models)
    )


def vector_of(obj: Model) -> np.ndarray | None:
    """The stored meaning of obj: its chunks' vectors averaged, or None if it has none."""
    rows = Embedding.objects.for_object(obj).filter(model=encoder.model_name())
    vectors = [np.frombuffer(bytes(v), dtype="<f4") for v in rows.values_list("vector", flat=True)]
    if not vectors:
        return None
    return _query_vector(np.mean(vectors, axis=0))


def similar_to(
    obj: Model,
    k: int = 5,
    *,
    models: Sequence[type[Model] | int] | None = None,
    allowed_ids: Mapping[type[Model] | int, Collection[int]] | None = None,
    min_score: float | None = None,
) -> list[Hit]:
    """Items nearest to obj's stored vectors (its own model by default), obj itself left out."""
    if not encoder.is_enabled():
        return []
    vector = VectorIndex.for_content_type(type(obj)).vector_of(obj.pk)
    if vector is None:
        vector = vector_of(obj)  # saved a moment ago in another process, or of another model name
    if vector is None:
        return []
    return nearest(
        vector,
        models=models or [type(obj)],
        k=k,
        exclude=[obj],
        allowed_ids=allowed_ids,
        min_score=min_score,
    )


def warm_up(models: Sequence[type[Model] | int] | None = None) -> None:
    """Load the encoder and the indexes now (a web worker starting), not on the first search."""
    if not encoder.is_enabled():
        return
    encoder.get_encoder()
    for ct_id in _content_type_ids(models):
        VectorIndex.for_content_type(ct_id).refresh()
