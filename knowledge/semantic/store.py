"""Vectors in the database, and an in-memory index per content type for nearest-neighbour search.

Rows live in ``Embedding`` (float32 bytes), so a new process loads them instead of
re-embedding. Each process keeps one ``VectorIndex`` per content type: the vectors
quantised to int8 with one scale per row (a quarter of float32's memory), refreshed
from the rows that changed when another process bumps the cache key or, at most
every few seconds, when the table's count or newest ``updated_at`` moved.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.db.models import Max, Model

from . import encoder
from .models import Embedding

# object_id and chunk packed into one sortable int64 key.
CHUNK_BITS = 20
QUERY_CACHE_SIZE = 512  # recent query texts whose vectors (1.5 KB each) and nearest hits are kept
BLOCK_ROWS = 512  # int8 rows widened to float32 per step: small enough to stay in cache

ChunkInput = str | tuple[int, str] | tuple[int, str, float | None]


class Hit(NamedTuple):
    content_type_id: int
    object_id: int
    chunk: int
    score: float


@dataclass
class UpsertReport:
    embedded: int = 0
    unchanged: int = 0
    deleted: int = 0


def text_hash(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def content_type_id_for(model_or_obj: type[Model] | Model | int) -> int:
    if isinstance(model_or_obj, int):
        return model_or_obj
    return ContentType.objects.get_for_model(model_or_obj).pk


def _normalise_chunks(chunks: str | Iterable[ChunkInput]) -> dict[int, tuple[str, float | None]]:
    if isinstance(chunks, str):
        chunks = [(0, chunks)]
    result = {}
    for item in chunks:
        if isinstance(item, str):
            number, text, start = 0, item, None
        else:
            number, text, *rest = item
            start = rest[0] if rest else None
        text = " ".join(text.split())  # whitespace changes are not worth a new vector
        if text:
            result[int(number)] = (text, start)
    return result


# Writing -----------------------------------------------------------------------------------


def upsert_vectors(obj: Model, chunks: str | Iterable[ChunkInput]) -> UpsertReport:
    """Store a vector per (chunk, text) of obj, skipping unchanged text and deleting lost chunks.

    ``chunks`` is a text (chunk 0) or pairs ``(chunk, text)`` or triples
    ``(chunk, text, start_seconds)``. Empty text counts as vanished.
    """
    return upsert_many([(obj, chunks)])


def upsert_many(
    items: Iterable[tuple[Model, str | Iterable[ChunkInput]]], *, batch_size: int = 64
) -> UpsertReport:
    """upsert_vectors for many objects, embedding their changed texts in shared batches."""
    report = UpsertReport()
    if not encoder.is_enabled():
        return report
    # Keyed by object so one object listed twice in a batch is written once (its last texts).
    batch: dict[tuple[type, object], tuple[Model, dict]] = {}
    for obj, chunks in items:
        batch[(type(obj), obj.pk)] = (obj, _normalise_chunks(chunks))
        if len(batch) >= batch_size:
            _upsert_batch(list(batch.values()), report)
            batch = {}
    if batch:
        _upsert_batch(list(batch.values()), report)
    return report


def _upsert_batch(batch: list[tuple[Model, dict]], report: UpsertReport) -> None:
    model_name = encoder.model_name()
    keys = [(content_type_id_for(obj), obj.pk) for obj, _ in batch]
    existing: dict[tuple[int, int], dict[int, tuple[int, str, str, float | None]]] = {}
    by_type: dict[int, list[int]] = {}
    for ct_id, pk in keys:
        by_type.setdefault(ct_id, []).append(pk)
    for ct_id, pks in by_type.items():
        rows = Embedding.objects.filter(content_type_id=ct_id, object_id__in=pks).values_list(
            "pk", "object_id", "chunk", "text_hash", "model", "start_seconds"
        )
        for pk, object_id, chunk, hash_, model, start in rows:
            existing.setdefault((ct_id, object_id), {})[chunk] = (pk, hash_, model, start)

    to_embed: list[tuple[int, int, int, float | None, str, str]] = []
    to_restart: list[tuple[int, float | None]] = []  # same text, new start time
    to_delete: list[int] = []
    for (ct_id, object_id), (_, chunks) in zip(keys, batch, strict=True):
        stored = existing.get((ct_id, object_id), {})
        for chunk, (text, start) in chunks.items():
            hash_ = text_hash(text)
            old = stored.get(chunk)
            if old and old[1] == hash_ and old[2] == model_name:
                report.unchanged += 1
                if old[3] != start:
                    to_restart.append((old[0], start))
            else:
                to_embed.append((ct_id, object_id, chunk, start, text, hash_))
        to_delete.extend(pk for chunk, (pk, *_) in stored.items() if chunk not in chunks)

    # Embed outside the transaction: it is the slow part and needs no lock.
    vectors = encoder.embed([row[4] for row in to_embed]) if to_embed else None
    touched = {ct_id for ct_id, *_ in to_embed} | {ct_id for ct_id, _ in keys}
    with transaction.atomic():
        if to_delete:
            report.deleted += Embedding.objects.filter(pk__in=to_delete).delete()[0]
        for pk, start in to_restart:
            Embedding.objects.filter(pk=pk).update(start_seconds=start)
        if to_embed:
            Embedding.objects.bulk_create(
                [
                    Embedding(
                        content_type_id=ct_id,
                        object_id=object_id,
                        chunk=chunk,
                        start_seconds=start,
                        text_hash=hash_,
                        model=model_name,
                        vector=vectors[i].astype("<f4").tobytes(),
                    )
                    for i, (ct_id, object_id, chunk, start, _, hash_) in enumerate(to_embed)
                ],
                update_conflicts=True,
                unique_fields=["content_type", "object_id", "chunk"],
                update_fields=["start_seconds", "text_hash", "model", "vector", "updated_at"],
            )
            report.embedded += len(to_embed)
    if to_embed or to_delete or to_restart:
        _announce_change(touched)


def delete_vectors(obj: Model) -> int:
    """Remove every vector of obj; works even with SEMANTIC_SEARCH off, so no stale rows pile up."""
    deleted = Embedding.objects.for_object(obj).delete()[0]
    if deleted:
        _announce_change({content_type_id_for(obj)})
    return deleted


def _version_key(ct_id: int) -> str:
    return f"semantic:vectors-version:{ct_id}"


def _announce_change(ct_ids: Iterable[int]) -> None:
    """Make this process's indexes reload now, and other processes' once the rows are committed."""
    ct_ids = set(ct_ids)
    for ct_id in ct_ids:
        VectorIndex.mark_stale(ct_id)

    def bump():
        for ct_id in ct_ids:
            cache.add(_version_key(ct_id), 0, timeout=None)
            try:
                cache.incr(_version_key(ct_id))
            except ValueError:  # evicted between add and incr
                cache.set(_version_key(ct_id), 1, timeout=None)

    transaction.on_commit(bump)


# Reading -----------------------------------------------------------------------------------


_snapshot_numbers = itertools.count(1)


@dataclass(frozen=True)
class _Snapshot:
    keys: np.ndarray  # int64, sorted: object_id << CHUNK_BITS | chunk
    matrix: np.ndarray  # (n, DIMENSIONS) int8, or float32 when precision="float32"
    scales: np.ndarray  # float32 per row (ones for float32)
    segment_starts: np.ndarray  # first row of each object
    signature: tuple = (0, None)
    number: int = field(default_factory=lambda: next(_snapshot_numbers))  # a new one for every change

    @property
    def object_ids(self) -> np.ndarray:
        return self.keys >> CHUNK_BITS


def quantise(vectors: np.ndarray, precision: str = "int8") -> tuple[np.ndarray, np.ndarray]:
    """Rows to (matrix, scales): int8 with a per-row scale, or float32 unchanged."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if precision == "float32":
        return vectors, np.ones(len(vectors), np.float32)
    peak = np.abs(vectors).max(axis=1) if len(vectors) else np.empty(0, np.float32)
    scales = (np.maximum(peak, 1e-12) / 127.0).astype(np.float32)
    return np.round(vectors / scales[:, None]).astype(np.int8), scales


@dataclass
class VectorIndex:
    """All current-model vectors of one content type, held in memory for fast scoring."""

    content_type_id: int
    precision: str = "int8"
    check_interval: float = 5.0
    _snapshot: _Snapshot | None = None
    _cache_version: object = None
    _checked_at: float = 0.0
    _stale: bool = True
    _lock: threading.Lock = field(default_factory=threading.Lock)

    _instances = {}
    _registry_lock = threading.Lock()

    @classmethod
    def for_content_type(cls, model_or_ct: type[Model] | int) -> VectorIndex:
        """The process-wide index for a content type, created on first use."""
        ct_id = content_type_id_for(model_or_ct)
        index = cls._instances.get(ct_id)
        if index is None:
            with cls._registry_lock:
                index = cls._instances.setdefault(ct_id, cls(ct_id))
        return index

    @classmethod
    def mark_stale(cls, ct_id: int) -> None:
        index = cls._instances.get(ct_id)
        if index is not None:
            index._stale = True

    @classmethod
    def forget_all(cls) -> None:
        """Drop every index of this process (tests; a new process starts this way)."""
        with cls._registry_lock:
            cls._instances.clear()

    @classmethod
    def from_vectors(
        cls,
        content_type_id: int,
        object_ids: np.ndarray,
        vectors: np.ndarray,
        *,
        chunks: np.ndarray | None = None,
        precision: str = "int8",
    ) -> VectorIndex:
        """An index over given vectors, outside the registry and never reloaded (benchmarks)."""
        index = cls(content_type_id, precision=precision, check_interval=float("inf"))
        keys = np.asarray(object_ids, np.int64) << CHUNK_BITS
        if chunks is not None:
            keys |= np.asarray(chunks, np.int64)
        matrix, scales = quantise(vectors, precision)
        index._snapshot = index._build(keys, matrix, scales, (len(keys), None))
        index._stale = False
        index._checked_at = time.monotonic()
        index._cache_version = cache.get(_version_key(content_type_id))
        return index

    def __len__(self) -> int:
        return len(self._snapshot.keys) if self._snapshot else 0

    @property
    def nbytes(self) -> int:
        s = self._snapshot
        if s is None:
            return 0
        return s.keys.nbytes + s.matrix.nbytes + s.scales.nbytes + s.segment_starts.nbytes

    # Loading

    def _rows(self):
        return Embedding.objects.filter(
            content_type_id=self.content_type_id, model=encoder.model_name()
        )

    def _signature(self) -> tuple:
        """(rows, newest change) of the content type, every model's rows counted.

        Two queries that the (content_type, updated_at) index answers alone: asking for this
        model's rows read every row, 68 ms for 100,000 microposts on each periodic check.
        """
        rows = Embedding.objects.filter(content_type_id=self.content_type_id)
        return (rows.count(), rows.aggregate(newest=Max("updated_at"))["newest"])

    def refresh(self, *, force: bool = False) -> bool:
        """Bring the index up to date if rows may have changed; True if it reloaded anything."""
        now = time.monotonic()
        version = cache.get(_version_key(self.content_type_id))
        due = now - self._checked_at >= self.check_interval
        if not (force or self._stale or self._snapshot is None or due):
            if version == self._cache_version:
                return False
        with self._lock:
            self._stale = False
            self._checked_at = now
            self._cache_version = version
            signature = self._signature()
            snapshot = self._snapshot
            if snapshot is not None and signature == snapshot.signature and not force:
                return False
            if snapshot is None or force or snapshot.signature[1] is None or signature[1] is None:
                self._snapshot = self._load_all(signature)
            else:
                self._snapshot = self._load_changes(snapshot, signature)
            return True

    def _read(self, rows) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(keys, matrix, scales) for rows, quantised block by block to keep the peak small."""
        keys, blocks, scales = [], [], []
        pending_keys, pending_vectors = [], []

        def flush():
            vectors = np.frombuffer(b"".join(pending_vectors), dtype="<f4").reshape(
                -1, encoder.DIMENSIONS
            )
            matrix, block_scales = quantise(vectors, self.precision)
            keys.append(np.array(pending_keys, dtype=np.int64))
            blocks.append(matrix)
            scales.append(block_scales)
            pending_keys.clear()
            pending_vectors.clear()

        for object_id, chunk, vector in rows.values_list("object_id", "chunk", "vector").iterator(
            chunk_size=2000
        ):
            pending_keys.append((object_id << CHUNK_BITS) | chunk)
            pending_vectors.append(bytes(vector))
            if len(pending_keys) >= 8192:
                flush()
        if pending_keys or not keys:
            flush()
        return np.concatenate(keys), np.concatenate(blocks), np.concatenate(scales)

    def _build(self, keys, matrix, scales, signature) -> _Snapshot:
        order = np.argsort(keys, kind="stable")
        keys, matrix, scales = keys[order], matrix[order], scales[order]
        object_ids = keys >> CHUNK_BITS
        if len(keys):
            starts = np.flatnonzero(np.r_[True, object_ids[1:] != object_ids[:-1]])
        else:
            starts = np.empty(0, np.int64)
        return _Snapshot(keys, matrix, scales, starts.astype(np.int64), signature)

    def _load_all(self, signature) -> _Snapshot:
        return self._build(*self._read(self._rows()), signature)

    def _load_changes(self, old: _Snapshot, signature) -> _Snapshot:
        # A margin covers rows written in the same instant, or committed a little late.
        since = old.signature[1] - timedelta(seconds=5)
        new_keys, new_matrix, new_scales = self._read(self._rows().filter(updated_at__gte=since))
        keep = ~np.isin(old.keys, new_keys)
        keys = np.concatenate([old.keys[keep], new_keys])
        matrix = np.concatenate([old.matrix[keep], new_matrix])
        scales = np.concatenate([old.scales[keep], new_scales])
        if len(keys) != signature[0]:
            # Rows were deleted, or rows of another model remain: keep only keys still in the table.
            present = np.array(
                [
                    (object_id << CHUNK_BITS) | chunk
                    for object_id, chunk in self._rows().values_list("object_id", "chunk")
                ],
                dtype=np.int64,
            )
            alive = np.isin(keys, present)
            keys, matrix, scales = keys[alive], matrix[alive], scales[alive]
        return self._build(keys, matrix, scales, signature)

    # Searching

    def vector_of(self, object_id: int) -> np.ndarray | None:
        """An object's chunks averaged, read from memory (no query), or None if it has no vector here."""
        self.refresh()
        s = self._snapshot
        if s is None or not len(s.keys):
            return None
        first, last = np.searchsorted(s.keys, [object_id << CHUNK_BITS, (object_id + 1) << CHUNK_BITS])
        if first == last:
            return None
        rows = s.matrix[first:last].astype(np.float32) * s.scales[first:last, None]
        return _query_vector(rows.mean(axis=0))

    def scores(self, query: np.ndarray, snapshot: _Snapshot | None = None) -> np.ndarray:
        """Cosine similarity of query to every row."""
        s = snapshot or self._snapshot
        query = np.asarray(query, dtype=np.float32)
        if s.matrix.dtype == np.float32:
            return s.matrix @ query
        out = np.empty(len(s.keys), np.float32)
        buffer = np.empty((BLOCK_ROWS, encoder.DIMENSIONS), np.float32)
        for start in range(0, len(out), BLOCK_ROWS):
            block = buffer[: min(BLOCK_ROWS, len(out) - start)]
            np.copyto(block, s.matrix[start : start + BLOCK_ROWS], casting="unsafe")
            np.dot(block, query, out=out[start : start + len(block)])
        out *= s.scales
        return out

    def search(
        self,
        query: np.ndarray,
        *,
        k: int = 10,
        allowed_ids: Collection[int] | None = None,
        exclude_ids: Collection[int] = (),
        per_object: bool = True,
        min_score: float | None = None,
    ) -> list[Hit]:
        """The k best rows (or, per_object, the best chunk of each of the k best objects)."""
        self.refresh()
        return self._search(
            self._snapshot,
            query,
            k=k,
            allowed_ids=allowed_ids,
            exclude_ids=exclude_ids,
            per_object=per_object,
            min_score=min_score,
        )

    def _search(
        self,
        s: _Snapshot | None,
        query: np.ndarray,
        *,
        k: int,
        allowed_ids: Collection[int] | None = None,
        exclude_ids: Collection[int] = (),
        per_object: bool = True,
        min_score: float | None = None,
    ) -> list[Hit]:
        """search() in a given snapshot; reads no database, so another thread may run it."""
        if s is None or not len(s.keys) or k <= 0:
            return []
        scores = self.scores(query, s)
        object_ids = s.object_ids
        if allowed_ids is not None:
            scores[~np.isin(object_ids, np.fromiter(allowed_ids, np.int64))] = -np.inf
        if exclude_ids:
            scores[np.isin(object_ids, np.fromiter(exclude_ids, np.int64))] = -np.inf
        grouped = per_object and len(s.segment_starts) < len(s.keys)
        # Several chunks of one object: rank objects by their best chunk.
        candidates = np.maximum.reduceat(scores, s.segment_starts) if grouped else scores
        hits = []
        for position in _top_k(candidates, k):
            score = float(candidates[position])
            if score == -np.inf or (min_score is not None and score < min_score):
                continue
            row = int(position)
            if grouped:
                first = int(s.segment_starts[position])
                last = (
                    int(s.segment_starts[position + 1])
                    if position + 1 < len(candidates)
                    else len(scores)
                )
                row = first + int(np.argmax(scores[first:last]))
            key = int(s.keys[row])
            hits.append(
                Hit(self.content_type_id, key >> CHUNK_BITS, key & ((1 << CHUNK_BITS) - 1), score)
            )
        return hits


def _top_k(scores: np.ndarray, k: int) -> np.ndarray:
    if k >= len(scores):
        return np.argsort(-scores, kind="stable")
    top = np.argpartition(-scores, k - 1)[:k]
    return top[np.argsort(-scores[top], kind="stable")]


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
    vector = np.asarray(query, dtype=np.float32).reshape(-1)
    return vector / max(float(np.linalg.norm(vector)), 1e-12)


def _content_type_ids(models_: Sequence[type[Model] | int] | None) -> list[int]:
    if models_ is None:
        return list(
            Embedding.objects.order_by().values_list("content_type_id", flat=True).distinct()
        )
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
    indexes = [VectorIndex.for_content_type(ct_id) for ct_id in _content_type_ids(models)]
    for index in indexes:
        index.refresh()
    snapshots = [(index, index._snapshot) for index in indexes]
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
