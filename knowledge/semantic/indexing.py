"""What text of each kind of content is embedded, and rebuilding every vector at once.

Tips, microposts and coaching videos have vectors. Coaching is looked up through
the app registry, never imported, so knowledge keeps working without it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

from django.apps import apps
from django.db.models import Model

from knowledge.progress import Progress

from . import encoder
from .chunking import chunk_cues
from .models import Embedding
from .store import ChunkInput, UpsertReport, content_type_id_for, upsert_many

TIP = "knowledge.tippage"
MICROPOST = "knowledge.micropost"
VIDEO = "coaching.coachingvideopage"
EMBEDDED_MODELS = (TIP, MICROPOST, VIDEO)
REBUILD_BATCH = 128


def model_for(label: str) -> type[Model] | None:
    """The model for "app_label.modelname", or None when its app is not installed."""
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def embedded_models() -> list[type[Model]]:
    """The installed models whose content has vectors."""
    return [model for label in EMBEDDED_MODELS if (model := model_for(label)) is not None]


def is_embedded(model: type[Model]) -> bool:
    return model._meta.label_lower in EMBEDDED_MODELS


def tip_text(tip) -> str:
    """Title first: the encoder reads 256 word pieces, and the title says most."""
    from knowledge.sitesearch.kinds import stream_text

    return ". ".join(part for part in (tip.title, tip.summary, stream_text(tip.body)) if part.strip())


def video_chunks(video) -> list[ChunkInput]:
    """Chunk 0 is the title and summary; each transcript chunk follows with its start second."""
    from coaching.transcripts import TranscriptError, parse_transcript

    chunks: list[ChunkInput] = [(0, ". ".join(p for p in (video.title, video.summary) if p.strip()))]
    try:
        cues = parse_transcript(video.transcript_source) if video.transcript_source.strip() else []
    except TranscriptError:
        cues = []  # the admin form refuses bad captions; an old bad one just has no transcript vectors
    chunks += [(number + 1, text, start) for number, text, start in chunk_cues((c.start, c.text) for c in cues)]
    return chunks


def chunks_for(obj: Model) -> list[ChunkInput]:
    """The (chunk, text[, start_seconds]) pieces embedded for obj."""
    label = obj._meta.label_lower
    if label == TIP:
        return [(0, tip_text(obj))]
    if label == MICROPOST:
        return [(0, obj.text)]
    if label == VIDEO:
        return video_chunks(obj)
    raise ValueError(f"{obj._meta.label} has no vectors")


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
        bar = Progress(f"Vectors for {model._meta.verbose_name_plural}", model._default_manager.count(),
                       stream, enabled=show_progress)
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
                    content_type_id=ct_id, object_id__in=orphans[start:start + 500]).delete()[0]
    return report
