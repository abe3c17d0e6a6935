"""Keyword hits fused with the nearest items by meaning, which pass the same filters and permissions."""

import functools

from django.db.models import Q
from django.http import HttpRequest

from knowledge.semantic.indexing import is_embedded
from knowledge.semantic.ranking import fuse
from knowledge.semantic.store import content_type_id_for

from .results import KINDS, Hit, Kind, SearchFilters, described, filtered, load_tags

# Nearest neighbours asked for, before filters and permissions drop some.
MEANING_CANDIDATES = 20
MEANING_LIMIT = 5  # results found by meaning alone, at most
CONFIDENT_COUNT = 5  # this many keyword results: keyword order stands, meaning only appends
# Cosine; see knowledge/semantic/ranking.py for how these were measured. bench/model_comparison.py tuned
# the fill: at 0.25 "football results" found a tip (0.253); the weakest target found scores 0.27.
FILL_MIN_SCORE = 0.26
CONFIDENT_FILL_MIN_SCORE = 0.5


def meaning_kinds() -> dict[type, Kind]:
    """The kinds whose content has vectors, by model."""
    kinds = {}
    for kind in KINDS.values():
        model = _model_of(kind)
        if is_embedded(model):
            kinds[model] = kind
    return kinds


@functools.cache
def _model_of(kind: Kind) -> type:
    return kind.queryset().model


def with_meaning(
    nearest_hits: list,
    kinds: dict[type, Kind],
    filters: SearchFilters,
    hits: list[Hit],
    *,
    confident: bool,
    request: HttpRequest | None = None,
) -> list[Hit]:
    """Keyword hits fused with the nearest items by meaning, which pass the same filters and permissions.

    Items found by meaning alone are marked ``by_meaning``; when the keyword side is
    confident its order stands and only close neighbours are appended.
    """
    floor = CONFIDENT_FILL_MIN_SCORE if confident else FILL_MIN_SCORE
    candidates = [candidate for candidate in nearest_hits if candidate.score >= floor]
    if not candidates:
        return hits
    kind_of_type = {content_type_id_for(model): kind for model, kind in kinds.items()}
    keyword_keys = {hit.key for hit in hits}
    scores = {(kind_of_type[c.content_type_id].key, c.object_id): c.score for c in candidates}
    unseen = sorted((key for key in scores if key not in keyword_keys), key=lambda key: -scores[key])
    # The kind's own queryset and the filters decide what may be shown: live, not retired, permitted.
    # Only the best few can be shown, so only they are loaded; the next ones only if some of those may not be.
    shown: dict[tuple, object] = {}
    start = 0
    while len(shown) < MEANING_LIMIT and start < len(unseen):
        batch = unseen[start : start + MEANING_LIMIT - len(shown)]
        start += len(batch)
        for kind_key in dict.fromkeys(key for key, _ in batch):
            ids = [pk for key, pk in batch if key == kind_key]
            shown.update(((kind_key, obj.pk), obj) for obj in filtered(KINDS[kind_key], filters).filter(pk__in=ids))
    found: dict[tuple, Hit] = {}
    chunks = {(kind_of_type[c.content_type_id].key, c.object_id): c.chunk for c in candidates}
    for kind_key in dict.fromkeys(key for key, _ in shown):
        kind = KINDS[kind_key]
        kind_hits = [described(kind, obj, request) for key, obj in shown.items() if key[0] == kind_key]
        load_tags(kind, kind_hits)
        for hit in kind_hits:
            hit.by_meaning, hit.score = True, scores[hit.key]
            found[hit.key] = hit
    _link_to_moments(list(found.values()), chunks)
    allowed = {key: score for key, score in scores.items() if key in keyword_keys or key in found}
    by_key = {hit.key: hit for hit in hits}
    fused = fuse(
        [hit.key for hit in hits],
        allowed,
        keyword_scores=[hit.score for hit in hits],
        limit=len(hits) + MEANING_LIMIT,
        confident_count=CONFIDENT_COUNT,
        fill_min_score=FILL_MIN_SCORE,
        confident_fill_min_score=CONFIDENT_FILL_MIN_SCORE,
        meaning_limit=MEANING_LIMIT,
    )
    return [found[item.key] if item.by_meaning else by_key[item.key] for item in fused]


def _link_to_moments(hits: list[Hit], chunks: dict[tuple, int]) -> None:
    """An item found by a chunk that starts at a second (a video's transcript) links to that second."""
    from knowledge.semantic.models import Embedding

    wanted = {hit.key: chunks[hit.key] for hit in hits if chunks.get(hit.key)}
    if not wanted:
        return
    query = Q()
    for hit in hits:
        if hit.key in wanted:
            query |= Q(content_type_id=content_type_id_for(type(hit.obj)), object_id=hit.obj.pk, chunk=wanted[hit.key])
    starts = {
        (content_type_id, object_id): start
        for content_type_id, object_id, start in Embedding.objects.filter(
            query, start_seconds__isnull=False
        ).values_list("content_type_id", "object_id", "start_seconds")
    }
    for hit in hits:
        start = starts.get((content_type_id_for(type(hit.obj)), hit.obj.pk))
        if hit.key in wanted and start is not None:
            hit.url = f"{hit.url.split('#')[0]}#t={int(start)}"
