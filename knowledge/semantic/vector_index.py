"""The in-memory index of one content type's vectors, for nearest-neighbour search.

Each process keeps one ``VectorIndex`` per content type: the vectors quantised to
int8 with one scale per row (a quarter of float32's memory), refreshed from the rows
that changed when another process bumps the cache key or, at most every few
seconds, when the table's count or newest ``updated_at`` moved. A web server that
loads them before it forks its workers shares one copy among them (config/gunicorn.py).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import timedelta
from typing import NamedTuple

import numpy as np
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import Max, Model

from . import encoder
from .models import Embedding

# object_id and chunk packed into one sortable int64 key.
CHUNK_BITS = 20
BLOCK_ROWS = 512  # int8 rows widened to float32 per step: small enough to stay in cache
CHANGES_KEPT = 256  # snapshot steps whose changed objects are remembered (see changed_between)


class Hit(NamedTuple):
    content_type_id: int
    object_id: int
    chunk: int
    score: float


def content_type_id_for(model_or_obj: type[Model] | Model | int) -> int:
    if isinstance(model_or_obj, int):
        return model_or_obj
    return ContentType.objects.get_for_model(model_or_obj).pk


def unit(vector: np.ndarray) -> np.ndarray:
    """vector as float32, scaled to length 1."""
    vector = np.asarray(vector, dtype=np.float32).reshape(-1)
    return vector / max(float(np.linalg.norm(vector)), 1e-12)


def version_key(ct_id: int) -> str:
    """The cache key a writer bumps so that every process reloads that content type's vectors."""
    return f"semantic:vectors-version:{ct_id}"


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
    # (number before, number after, the objects whose vectors changed) for recent reloads of changes
    _changes: deque = field(default_factory=lambda: deque(maxlen=CHANGES_KEPT))

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
        index._cache_version = cache.get(version_key(content_type_id))
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
        return Embedding.objects.filter(content_type_id=self.content_type_id, model=encoder.model_name())

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
        version = cache.get(version_key(self.content_type_id))
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
                self._changes.clear()
            else:
                self._snapshot, changed = self._load_changes(snapshot, signature)
                self._changes.append((snapshot.number, self._snapshot.number, changed))
            return True

    def changed_between(self, before: int, after: int) -> frozenset[int] | None:
        """The objects whose vectors changed from snapshot ``before`` to ``after``, or None when
        this index no longer knows (everything was reloaded, or too many changes ago)."""
        changed: set[int] = set()
        number = before
        for old, new, ids in tuple(self._changes):  # a copy: another thread may reload meanwhile
            if old == number:
                changed |= ids
                number = new
        return frozenset(changed) if number == after else None

    def object_scores(self, query: np.ndarray, object_ids) -> dict[int, float]:
        """Each object's best chunk score against ``query`` (as ``search`` ranks objects); objects
        without a vector here are left out."""
        s = self._snapshot
        found = {}
        if s is None or not len(s.keys):
            return found
        query = np.asarray(query, dtype=np.float32)
        for object_id in object_ids:
            first, last = np.searchsorted(s.keys, [object_id << CHUNK_BITS, (object_id + 1) << CHUNK_BITS])
            if first < last:
                rows = s.matrix[first:last].astype(np.float32) @ query * s.scales[first:last]
                found[int(object_id)] = float(rows.max())
        return found

    def _read(self, rows) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(keys, matrix, scales) for rows, quantised block by block to keep the peak small."""
        keys, blocks, scales = [], [], []
        pending_keys, pending_vectors = [], []

        def flush():
            vectors = np.frombuffer(b"".join(pending_vectors), dtype="<f4").reshape(-1, encoder.DIMENSIONS)
            matrix, block_scales = quantise(vectors, self.precision)
            keys.append(np.array(pending_keys, dtype=np.int64))
            blocks.append(matrix)
            scales.append(block_scales)
            pending_keys.clear()
            pending_vectors.clear()

        for object_id, chunk, vector in rows.values_list("object_id", "chunk", "vector").iterator(chunk_size=2000):
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

    def _load_changes(self, old: _Snapshot, signature) -> tuple[_Snapshot, frozenset[int]]:
        """The snapshot with the rows changed since ``old``, and the objects whose vectors changed."""
        # A margin covers rows written in the same instant, or committed a little late.
        since = old.signature[1] - timedelta(seconds=5)
        new_keys, new_matrix, new_scales = self._read(self._rows().filter(updated_at__gte=since))
        keep = ~np.isin(old.keys, new_keys)
        keys = np.concatenate([old.keys[keep], new_keys])
        matrix = np.concatenate([old.matrix[keep], new_matrix])
        scales = np.concatenate([old.scales[keep], new_scales])
        changed = set((new_keys[~self._same_rows(old, new_keys, new_matrix, new_scales)] >> CHUNK_BITS).tolist())
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
            changed |= set((keys[~alive] >> CHUNK_BITS).tolist())
            keys, matrix, scales = keys[alive], matrix[alive], scales[alive]
        return self._build(keys, matrix, scales, signature), frozenset(changed)

    @staticmethod
    def _same_rows(old: _Snapshot, keys: np.ndarray, matrix: np.ndarray, scales: np.ndarray) -> np.ndarray:
        """Which of these rows ``old`` already held as they are: the reload's margin reads rows
        written in the last seconds again, and those did not change."""
        same = np.zeros(len(keys), bool)
        if not len(old.keys) or not len(keys):
            return same
        at = np.minimum(np.searchsorted(old.keys, keys), len(old.keys) - 1)
        held = old.keys[at] == keys
        same[held] = (old.matrix[at[held]] == matrix[held]).all(axis=1) & (old.scales[at[held]] == scales[held])
        return same

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
        return unit(rows.mean(axis=0))

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
                last = int(s.segment_starts[position + 1]) if position + 1 < len(candidates) else len(scores)
                row = first + int(np.argmax(scores[first:last]))
            key = int(s.keys[row])
            hits.append(Hit(self.content_type_id, key >> CHUNK_BITS, key & ((1 << CHUNK_BITS) - 1), score))
        return hits


def _top_k(scores: np.ndarray, k: int) -> np.ndarray:
    if k >= len(scores):
        return np.argsort(-scores, kind="stable")
    top = np.argpartition(-scores, k - 1)[:k]
    return top[np.argsort(-scores[top], kind="stable")]
