"""Writing vectors: one row per (object, chunk) in ``Embedding``, embedded only when its text changed.

Rows hold float32 bytes, so a new process loads them instead of re-embedding. A
change marks this process's index stale and, once committed, bumps a cache key
that makes every other process reload.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import Model

from . import encoder
from .models import Embedding
from .vector_index import VectorIndex, content_type_id_for, version_key

ChunkInput = str | tuple[int, str] | tuple[int, str, float | None]


@dataclass
class UpsertReport:
    embedded: int = 0
    unchanged: int = 0
    deleted: int = 0


def text_hash(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


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


def upsert_many(items: Iterable[tuple[Model, str | Iterable[ChunkInput]]], *, batch_size: int = 64) -> UpsertReport:
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


def _announce_change(ct_ids: Iterable[int]) -> None:
    """Make this process's indexes reload now, and other processes' once the rows are committed."""
    ct_ids = set(ct_ids)
    for ct_id in ct_ids:
        VectorIndex.mark_stale(ct_id)

    def bump():
        for ct_id in ct_ids:
            cache.add(version_key(ct_id), 0, timeout=None)
            try:
                cache.incr(version_key(ct_id))
            except ValueError:  # evicted between add and incr
                cache.set(version_key(ct_id), 1, timeout=None)

    transaction.on_commit(bump)
