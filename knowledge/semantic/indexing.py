"""What text of each kind of content is embedded, and rebuilding every vector at once.

The kinds registered with ``knowledge.contracts.register`` have vectors; each says what is
embedded with ``embedded_chunks()`` (a coaching video adds its transcript there, from coaching's
side), so this module knows no kind by name.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

from django.apps import apps
from django.db.models import Model

from knowledge import contracts
from knowledge.progress import Progress

from . import encoder
from .models import Embedding
from .vector_index import content_type_id_for
from .writing import ChunkInput, UpsertReport, upsert_many

TIP = "knowledge.tippage"
MICROPOST = "knowledge.micropost"
REBUILD_BATCH = 128


def model_for(label: str) -> type[Model] | None:
    """The model for "app_label.modelname", or None when its app is not installed."""
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def embedded_models() -> list[type[Model]]:
    """The installed models whose content has vectors."""
    return contracts.embedded_models()


def is_embedded(model: type[Model] | None) -> bool:
    registered = contracts.registration(model) if model is not None else None
    return registered is not None and registered.embedded


def chunks_for(obj: Model) -> list[ChunkInput]:
    """The (chunk, text[, start_seconds]) pieces embedded for obj."""
    if not is_embedded(type(obj)):
        raise ValueError(f"{obj._meta.label} has no vectors")
    return obj.embedded_chunks()


@dataclass
class RebuildReport:
    objects: int = 0
    embedded: int = 0
    unchanged: int = 0
    deleted: int = 0


def _batches(model: type[Model]) -> Iterator[list[Model]]:
    """Every object of model in pk order, a batch at a time (pk ranges, not OFFSET)."""
    queryset = model._default_manager.order_by("pk")
    last = None
    while True:
        page = queryset if last is None else queryset.filter(pk__gt=last)
        batch = list(page[:REBUILD_BATCH])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def rebuild_vectors(*, stream: TextIO | None = None, show_progress: bool = True) -> RebuildReport:
    """Bring every vector up to date: embed new or changed text, drop vectors of deleted objects."""
    report = RebuildReport()
    if not encoder.is_enabled():
        return report
    for model in embedded_models():
        ct_id = content_type_id_for(model)
        existing = set(Embedding.objects.filter(content_type_id=ct_id).values_list("object_id", flat=True))
        bar = Progress(
            f"Vectors for {model._meta.verbose_name_plural}",
            model._default_manager.count(),
            stream,
            enabled=show_progress,
        )
        for batch in _batches(model):
            done: UpsertReport = upsert_many(((obj, chunks_for(obj)) for obj in batch), batch_size=REBUILD_BATCH)
            report.objects += len(batch)
            report.embedded += done.embedded
            report.unchanged += done.unchanged
            report.deleted += done.deleted
            existing.difference_update(obj.pk for obj in batch)
            bar.advance(len(batch))
        bar.finish()
        if existing:  # objects deleted without a signal (raw SQL, a restore)
            orphans = sorted(existing)
            for start in range(0, len(orphans), 500):
                report.deleted += Embedding.objects.filter(
                    content_type_id=ct_id, object_id__in=orphans[start : start + 500]
                ).delete()[0]
    return report
