"""Compiling a modelsearch search into a whoosh query and running it: the top hits, the count, every match."""

import numpy as np
from modelsearch.backends.base import BaseSearchQueryCompiler, SearchFieldError
from modelsearch.query import MatchAll, Not
from whoosh import query as wq

from . import engine
from .documents import doc_id_for
from .filters import lookup_query, where_needs_database
from .query import (
    AutocompleteQueryBuilder,
    FilterQuery,
    SearchQueryBuilder,
    autocomplete_search_fields,
    combine,
    negate,
    text_search_fields,
)

# Below this many candidate documents every match is scored, giving an exact count
# and ranking in one pass; above it the top hits are found with Whoosh's block-max
# skipping and the count is estimated.
EXACT_COUNT_LIMIT = 1000


class WhooshSearchQueryCompiler(BaseSearchQueryCompiler):
    DEFAULT_OPERATOR = "and"
    HANDLES_ORDER_BY_EXPRESSIONS = True
    builder_class = SearchQueryBuilder
    correct_typos = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._hits_cache = None
        self._docnums_cache = None

    # modelsearch filter hooks

    def _process_lookup(self, field_path, lookup, value):
        q = lookup_query(self.queryset, field_path, lookup, value)
        return None if q is None else FilterQuery(q)

    def _process_match_none(self):
        return FilterQuery(wq.NullQuery)

    def _connect_filters(self, filters, connector, negated):
        queries = [f.query for f in filters if f is not None]
        if not queries:
            return FilterQuery(wq.NullQuery) if negated else None
        q = combine(queries, "and" if connector == "AND" else "or")
        return FilterQuery(negate(q) if negated else q)

    # Query building

    def _search_fields(self):
        if self.fields is None:
            return None
        return text_search_fields(self.queryset.model, self.fields)

    def whoosh_query(self, state=None):
        builder = self.builder_class(
            search_fields=self._search_fields(),
            reader=state.searcher.reader() if state is not None and self.correct_typos else None,
            cache=None if state is None else state.cached,
        )
        return builder.build(self.query)

    def filter_docs(self, state) -> "DocFilter | None":
        """Doc numbers allowed by the model and the queryset filters (None: every live doc)."""
        searcher = state.searcher
        if where_needs_database(self.queryset):
            return DocFilter(self._filter_docs_from_database(state), searcher)
        model_filter = wq.Term("doc_ct", self.queryset.model.indexed_get_content_type())
        where = self._get_filters_from_queryset()
        flt = model_filter if where is None else combine([model_filter, where.query], "and")

        def build():
            docs = set(searcher.docs_for_query(flt))
            return None if len(docs) == searcher.doc_count() else DocFilter(docs, searcher)

        return state.cached(("filter", repr(flt)), build)

    def _filter_docs_from_database(self, state):
        """The queryset's own rows, for filters the index cannot apply (across relations)."""
        model = self.queryset.model
        docnums = state.cached(
            ("docnum by id",),
            lambda: {state.doc_ids[n]: n for n in state.searcher.reader().all_doc_ids()},
        )
        pks = self.queryset.order_by().values_list("pk", flat=True).iterator()
        return {docnums[key] for key in (doc_id_for(model, pk) for pk in pks) if key in docnums}

    def _pk_for(self, doc_id):
        return self.queryset.model._meta.pk.to_python(doc_id.split(":", 1)[1])

    # Searching

    def is_match_all(self):
        return isinstance(self.query, MatchAll)

    def is_match_none(self):
        return isinstance(self.query, Not) and isinstance(self.query.subquery, MatchAll)

    def _query_unless_nothing_allowed(self, state, docs):
        """The whoosh query, or NullQuery when no document can match (an empty index, or no document
        of the model: a kind of content nobody added yet costs no typo corrections)."""
        if not state.searcher.doc_count_all() or (docs is not None and not docs.docs):
            return wq.NullQuery
        return self.whoosh_query(state)

    def hits(self, store, limit):
        """(hits, total, complete): the top ``limit`` (doc_id, score) pairs by relevance,
        the number of matches, and whether ``hits`` holds every match."""
        state = store.searcher_state()
        cache = self._hits_cache
        if cache is not None and cache[0] is state.searcher:
            _searcher, cached_limit, result = cache
            if result[2] or (limit is not None and cached_limit is not None and limit <= cached_limit):
                return result
        searcher = state.searcher
        docs = self.filter_docs(state)
        q = self._query_unless_nothing_allowed(state, docs)
        if q is wq.NullQuery:
            result = ([], 0, True)  # nothing to find (a new index has no segment to search)
        else:
            column = state.doc_ids
            try:
                found, total, exact, matches = engine.search_and_match(
                    searcher, q, None if docs is None else docs.mask, limit
                )
                complete = exact and (limit is None or total <= limit)
                if matches is not None:  # facets that follow count these instead of searching again
                    self._docnums_cache = (searcher, matches)
            except engine.Unsupported:
                found, total, complete = self._whoosh_search(searcher, q, docs, limit)
            result = ([(column[docnum], score) for docnum, score in found], total, complete)
        self._hits_cache = (state.searcher, limit, result)
        return result

    def _whoosh_search(self, searcher, q, docs, limit):
        estimate = q.estimate_size(searcher.reader())
        run_limit = None if limit is None or estimate <= EXACT_COUNT_LIMIT else limit
        results = searcher.search(q, limit=run_limit, filter=None if docs is None else docs.docs, terms=False)
        found = list(_docnums_and_scores(results))
        scored = results.scored_length()
        if results.has_exact_length() or run_limit is None or scored < run_limit:
            total = len(results) if results.has_exact_length() else scored
            return found, total, run_limit is None or scored < run_limit
        # Block-max skipping leaves the count unknown: estimate it, scaled down by
        # the share of documents the filter allows.
        total = results.estimated_length()
        if docs is not None:
            total = int(total * len(docs.docs) / max(searcher.doc_count(), 1))
        return found, max(total, scored), False

    def matching_docnums(self, store) -> tuple:
        """(searcher, doc numbers of every match as a numpy array), unordered."""
        state = store.searcher_state()
        cache = self._docnums_cache
        if cache is not None and cache[0] is state.searcher:
            return cache
        searcher = state.searcher
        docs = self.filter_docs(state)
        q = self._query_unless_nothing_allowed(state, docs)
        if q is wq.NullQuery:
            docnums = np.empty(0, np.int64)
        else:
            try:
                docnums = engine.matching(searcher, q, None if docs is None else docs.mask)
            except engine.Unsupported:
                docnums = np.array(
                    [docnum for docnum in searcher.docs_for_query(q) if docs is None or docnum in docs.docs], np.int64
                )
        self._docnums_cache = (searcher, docnums)
        return self._docnums_cache

    def matching_pks(self, store):
        """Primary keys of every match, unordered (for field ordering)."""
        state = store.searcher_state()
        _searcher, docnums = self.matching_docnums(store)
        column = state.doc_ids
        return [self._pk_for(column[int(docnum)]) for docnum in docnums]


class DocFilter:
    """The doc numbers a filter allows, as a set (for Whoosh) and a mask (for numpy)."""

    def __init__(self, docs, searcher):
        self.docs = docs
        self.size = searcher.doc_count_all()
        self._mask = None

    @property
    def mask(self):
        if self._mask is None:
            mask = np.zeros(self.size, bool)
            if self.docs:
                mask[np.fromiter(self.docs, dtype=np.int64, count=len(self.docs))] = True
            self._mask = mask
        return self._mask


class WhooshAutocompleteQueryCompiler(WhooshSearchQueryCompiler):
    builder_class = AutocompleteQueryBuilder
    correct_typos = False

    def _search_fields(self):
        if self.fields is None:
            return None
        return autocomplete_search_fields(self.queryset.model, self.fields)

    def check(self):
        if self.fields:
            allowed = {f.field_name for f in self.queryset.model.get_autocomplete_search_fields()}
            for field_name in self.fields:
                if field_name not in allowed:
                    raise SearchFieldError(
                        f'Cannot autocomplete with field "{field_name}". Please add '
                        f'index.AutocompleteField("{field_name}") to '
                        f"{self.queryset.model.__name__}.search_fields.",
                        field_name=field_name,
                    )
        fields, self.fields = self.fields, None
        try:
            super().check()
        finally:
            self.fields = fields


def _docnums_and_scores(results):
    for i in range(results.scored_length()):
        yield results.docnum(i), results.score(i)
