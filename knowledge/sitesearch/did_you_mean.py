"""'Did you mean': a rewrite of the query offered only when it finds more."""

from .results import KINDS, SearchFilters, filtered


def _keyword_total(backend, query: str, filters: SearchFilters, querysets: dict | None = None) -> int:
    """How many results the page finds by keyword for ``query``, over the kinds the filters leave.

    ``querysets`` (by kind) are the filtered querysets the page already built, if any.
    """
    querysets = querysets or {}
    return sum(
        backend.search(
            query, querysets[kind.key] if kind.key in querysets else filtered(kind, filters).order_by()
        ).count()
        for kind in KINDS.values()
        if not filters.kinds or kind.key in filters.kinds
    )


def did_you_mean(backend, query: str, filters: SearchFilters, shown: int, querysets: dict | None = None) -> str | None:
    """The backend's rewrite of a query with words nobody wrote, if it finds more.

    More than the words as typed find (nothing, when the index lacks one of them) and no
    fewer than the page shows: the search already widens an unknown word to known ones,
    so a rewrite of a word spelled right ("went" to "want") finds no more and is not offered.
    """
    if not hasattr(backend, "suggest"):
        return None
    suggestion = backend.suggest(query)
    if not suggestion or suggestion.lower() == query.lower():
        return None
    knows_every_word = getattr(backend, "knows_every_word", None)
    as_typed = 0 if knows_every_word and not knows_every_word(query) else shown
    found = _keyword_total(backend, suggestion, filters, querysets)
    return suggestion if found > as_typed and found >= shown else None
