"""The site search: one query over every kind of content, merged, faceted and logged.

Each kind of content (tips, microposts, and what other apps register, such as coaching
videos) is searched through modelsearch, so the same code runs on Whoosh, the database
backend or OpenSearch. Apps that knowledge must not import register their kinds here.
"""

from collections import Counter

from django.http import HttpRequest
from modelsearch.backends import get_search_backend

from knowledge.semantic import encoder as meaning_encoder
from knowledge.semantic.store import nearest_soon

from .did_you_mean import did_you_mean
from .facets import facet_counts, facets_for, label_people
from .highlight import highlight
from .meaning import CONFIDENT_COUNT, FILL_MIN_SCORE, MEANING_CANDIDATES, meaning_kinds, with_meaning
from .results import (
    KINDS,
    MAX_CANDIDATES,
    Hit,
    Kind,
    SearchFilters,
    SearchOutcome,
    described,
    filtered,
    load_tags,
    register_kind,
)

__all__ = ["KINDS", "Hit", "Kind", "SearchFilters", "SearchOutcome", "register_kind", "search_site"]


def search_site(
    query: str,
    *,
    filters: SearchFilters | None = None,
    page: int = 1,
    per_page: int = 10,
    request: HttpRequest | None = None,
) -> SearchOutcome:
    """Searches every registered kind, merges by relevance and returns one page with facets.

    Every kind is searched whatever types are chosen, and the types are applied last: the
    results found by meaning then do not depend on them, so the count a type's facet shows
    is the number of results its link opens.
    """
    filters = filters or SearchFilters()
    query = " ".join(query.split())[:200]
    page = max(1, min(page, MAX_CANDIDATES // per_page))
    loaded = page * per_page  # keyword hits described per kind: the page and those before it, merged by score
    hits: list[Hit] = []
    kind_counts: dict[str, int] = {}
    backend = get_search_backend()
    searched = []
    # Relevance orders the hits: the table's own order would only add a sort to loading them.
    querysets = {kind.key: filtered(kind, filters).order_by() for kind in KINDS.values()}
    for kind in KINDS.values():
        results = backend.search(query, querysets[kind.key]).annotate_score("search_score")
        kind_counts[kind.key] = results.count()
        if kind_counts[kind.key]:
            searched.append((kind, results))
    confident = sum(kind_counts.values()) >= CONFIDENT_COUNT
    # Confident keyword results keep their order and meaning only adds after the last of them; when
    # there are more than this page loads, that place is on a later page, which searches by meaning then.
    by_meaning = meaning_kinds() if query and meaning_encoder.is_enabled() else {}
    if confident and any(count > loaded for count in kind_counts.values()):
        by_meaning = {}
    # Embedding the query and finding its nearest items overlap describing the keyword hits below.
    meaning = (
        nearest_soon(query, models=list(by_meaning), k=MEANING_CANDIDATES, min_score=FILL_MIN_SCORE)
        if by_meaning
        else None
    )
    people_counts = {"account": Counter(), "author": Counter()}
    for kind, results in searched:
        objects = list(results[:loaded])
        kind_hits = [described(kind, obj, request) for obj in objects]
        for hit, obj in zip(kind_hits, objects, strict=True):
            hit.score = float(getattr(obj, "search_score", 0.0) or 0.0)
        load_tags(kind, kind_hits)
        hits.extend(kind_hits)
        if filters.allows(kind.key):
            # A backend without facets has its loaded matches counted, as if they were all of them.
            every_match_loaded = not getattr(results, "supports_facet", False) or (
                len(objects) < loaded and len(objects) == kind_counts[kind.key]
            )
            for name, counts in facet_counts(kind, results, objects, every_match_loaded=every_match_loaded).items():
                people_counts[name].update(counts)
    hits.sort(key=lambda hit: -hit.score)
    keyword_total = sum(count for key, count in kind_counts.items() if filters.allows(key))
    suggestion = did_you_mean(backend, query, filters, keyword_total, querysets) if query else None
    if meaning is not None:
        hits = with_meaning(meaning.result(), by_meaning, filters, hits, confident=confident, request=request)
    for hit in hits:
        if hit.by_meaning:  # facets and totals count what the page shows
            kind_counts[hit.kind] = kind_counts.get(hit.kind, 0) + 1
            if filters.allows(hit.kind):
                for name in KINDS[hit.kind].filterable:
                    if person := getattr(hit, name):
                        people_counts[name][person.pk] += 1
    hits = [hit for hit in hits if filters.allows(hit.kind)]
    total = sum(count for key, count in kind_counts.items() if filters.allows(key))
    facets = facets_for(filters, kind_counts, people_counts["account"], people_counts["author"], hits)
    start = (page - 1) * per_page
    shown = hits[start : start + per_page]
    for hit in shown:  # only the page's hits show a snippet
        hit.snippet = snippet_for(KINDS[hit.kind].text(hit.obj), query)
    label_people(shown, facets["author"])
    return SearchOutcome(
        query=query, hits=shown, total=total, page=page, per_page=per_page, facets=facets, suggestion=suggestion
    )


def snippet_for(text: str, query: str) -> str:
    return highlight(text, query)
