"""A modelsearch backend keeping every indexed model in one Whoosh index on disk.

Settings::

    MODELSEARCH_BACKENDS = WAGTAILSEARCH_BACKENDS = {
        "default": {"BACKEND": "knowledge.search.whoosh", "PATH": BASE_DIR / "search_index"},
    }

``LOCK_TIMEOUT`` (seconds, default 30) bounds how long a write waits for writers in
other processes. The backend knows no Huddle model: documents are built from each
model's ``search_fields``.
"""

from collections import Counter, OrderedDict

import numpy as np
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count
from modelsearch.backends.base import (
    BaseIndex,
    BaseSearchBackend,
    BaseSearchQueryCompiler,
    BaseSearchResults,
    FilterFieldError,
    SearchFieldError,
)
from modelsearch.index import class_is_indexed
from modelsearch.query import MatchAll, Not
from whoosh import query as wq

from . import engine
from .documents import DocumentBuilder, doc_id_for
from .query import (
    AutocompleteQueryBuilder,
    FilterQuery,
    SearchQueryBuilder,
    autocomplete_search_fields,
    combine,
    knows_every_word,
    lookup_query,
    negate,
    suggest_correction,
    text_search_fields,
    where_needs_database,
)
from .storage import IndexStore

# Below this many candidate documents every match is scored, giving an exact count
# and ranking in one pass; above it the top hits are found with Whoosh's block-max
# skipping and the count is estimated.
EXACT_COUNT_LIMIT = 1000
# Hits fetched by count() so that the page slice that follows needs no new search.
DEFAULT_PAGE_LIMIT = 20
# Above this many matches, ordering by a field walks the ordered table instead of pk__in.
PK_IN_LIMIT = 10000


class WhooshIndex(BaseIndex):
    def __init__(self, backend):
        super().__init__(backend)
        self.store = backend.store

    def __str__(self):
        return f"whoosh:{self.store.path}"

    def get_key(self):
        return self.store.path

    def reset(self):
        self.store.clear()

    def add_items(self, model, items):
        if not class_is_indexed(model):
            return
        builder = DocumentBuilder(model)
        self.store.write([("update", builder.build(obj)) for obj in items])

    def delete_item(self, item):
        model = type(item)
        if not class_is_indexed(model):
            return
        self.store.write([("delete", doc_id_for(model, item.pk))])


class BuildingIndex(BaseIndex):
    """The index a rebuild fills: a new generation that goes live only when complete."""

    def __init__(self, backend, build):
        super().__init__(backend)
        self.build = build

    def __str__(self):
        return f"whoosh:{self.build.store.path} ({self.build.name})"

    def get_key(self):
        return self.build.store.path

    def add_items(self, model, items):
        if not class_is_indexed(model):
            return
        builder = DocumentBuilder(model)
        self.build.add(builder.build(obj) for obj in items)


class WhooshRebuilder:
    """Builds into a new generation folder beside the live one and swaps atomically."""

    def __init__(self, index):
        self.index = index
        self.build = None

    def start(self):
        self.build = self.index.store.start_build()
        return BuildingIndex(self.index.backend, self.build)

    def finish(self):
        self.build.finish()


class WhooshSearchQueryCompiler(BaseSearchQueryCompiler):
    DEFAULT_OPERATOR = "and"
    HANDLES_ORDER_BY_EXPRESSIONS = True
    builder_class = SearchQueryBuilder
    correct_typos = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._hits_cache = None

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

    def hits(self, store, limit):
        """(hits, total, complete): the top ``limit`` (doc_id, score) pairs by relevance,
        the number of matches, and whether ``hits`` holds every match."""
        state = store.searcher_state()
        cache = self._hits_cache
        if cache is not None and cache[0] is state.searcher:
            _searcher, cached_limit, result = cache
            if result[2] or (
                limit is not None and cached_limit is not None and limit <= cached_limit
            ):
                return result
        searcher = state.searcher
        q = self.whoosh_query(state)
        docs = self.filter_docs(state)
        if q is wq.NullQuery or not searcher.doc_count_all() or (docs is not None and not docs.docs):
            result = ([], 0, True)  # nothing to find (a new index has no segment to search)
        else:
            column = state.doc_ids
            try:
                found, total, exact = engine.search(
                    searcher, q, None if docs is None else docs.mask, limit
                )
                complete = exact and (limit is None or total <= limit)
            except engine.Unsupported:
                found, total, complete = self._whoosh_search(searcher, q, docs, limit)
            result = ([(column[docnum], score) for docnum, score in found], total, complete)
        self._hits_cache = (state.searcher, limit, result)
        return result

    def _whoosh_search(self, searcher, q, docs, limit):
        estimate = q.estimate_size(searcher.reader())
        run_limit = None if limit is None or estimate <= EXACT_COUNT_LIMIT else limit
        results = searcher.search(
            q, limit=run_limit, filter=None if docs is None else docs.docs, terms=False
        )
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

    def matching_pks(self, store):
        """Primary keys of every match, unordered (for field ordering and facets)."""
        state = store.searcher_state()
        searcher = state.searcher
        q = self.whoosh_query(state)
        if q is wq.NullQuery:
            return []
        docs = self.filter_docs(state)
        column = state.doc_ids
        try:
            found, _total, _exact = engine.search(
                searcher, q, None if docs is None else docs.mask, None
            )
            docnums = [docnum for docnum, _score in found]
        except engine.Unsupported:
            docnums = [
                docnum
                for docnum in searcher.docs_for_query(q)
                if docs is None or docnum in docs.docs
            ]
        return [self._pk_for(column[docnum]) for docnum in docnums]


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


class WhooshSearchResults(BaseSearchResults):
    supports_facet = True

    def _queryset(self):
        qs = self.query_compiler.queryset
        if self.prefetch_related:
            qs = qs.prefetch_related(*self.prefetch_related)
        return qs

    def _ordered_queryset(self, qs):
        return qs if qs.ordered else qs.order_by("-pk")

    def _do_search(self):
        compiler = self.query_compiler
        store = self.backend.store
        if compiler.is_match_none():
            return []
        if compiler.is_match_all():
            return list(self._ordered_queryset(self._queryset())[self.start : self.stop])
        if not compiler.order_by_relevance:
            return self._search_by_field_order(store)
        hits, _total, _exhaustive = compiler.hits(store, self.stop)
        page = hits[self.start : self.stop]
        pks = [compiler._pk_for(doc_id) for doc_id, _score in page]
        objects = {obj.pk: obj for obj in self._queryset().filter(pk__in=pks)}
        out = []
        for pk, (_doc_id, score) in zip(pks, page, strict=True):
            obj = objects.get(pk)
            if obj is None:
                continue  # deleted from the database but not yet from the index
            if self._score_field:
                setattr(obj, self._score_field, score)
            out.append(obj)
        return out

    def _search_by_field_order(self, store):
        compiler = self.query_compiler
        pks = compiler.matching_pks(store)
        if not pks:
            return []
        qs = self._ordered_queryset(self._queryset())
        if len(pks) <= PK_IN_LIMIT:
            return list(qs.filter(pk__in=pks)[self.start : self.stop])
        # Many matches: walk the table in order, keeping matches, until the slice is full.
        wanted = set(pks)
        out_pks = []
        needed = None if self.stop is None else self.stop
        for pk in qs.values_list("pk", flat=True).iterator():
            if pk in wanted:
                out_pks.append(pk)
                if needed is not None and len(out_pks) >= needed:
                    break
        out_pks = out_pks[self.start :]
        objects = {obj.pk: obj for obj in self._queryset().filter(pk__in=out_pks)}
        return [objects[pk] for pk in out_pks if pk in objects]

    def _do_count(self):
        compiler = self.query_compiler
        store = self.backend.store
        if compiler.is_match_none():
            total = 0
        elif compiler.is_match_all():
            total = compiler.queryset.count()
        elif not compiler.order_by_relevance:
            total = len(compiler.matching_pks(store))
        else:
            # A paginator counts first and then slices: fetch the first page's hits now.
            _hits, total, _exhaustive = compiler.hits(
                store, max(self.stop or 0, DEFAULT_PAGE_LIMIT)
            )
        total = max(total - self.start, 0)
        if self.stop is not None:
            total = min(total, self.stop - self.start)
        return total

    def facet(self, field_name):
        compiler = self.query_compiler
        field = compiler._get_filterable_field(field_name)
        if field is None:
            raise FilterFieldError(
                f'Cannot facet search results with field "{field_name}". Please add '
                f'index.FilterField("{field_name}") to '
                f"{compiler.queryset.model.__name__}.search_fields.",
                field_name=field_name,
            )
        qs = compiler.queryset.order_by().prefetch_related(None)  # .values() cannot prefetch
        if compiler.is_match_none():
            return OrderedDict()
        if compiler.is_match_all():
            chunks = [qs]
        else:
            pks = compiler.matching_pks(self.backend.store)
            chunks = [
                qs.filter(pk__in=pks[i : i + PK_IN_LIMIT]) for i in range(0, len(pks), PK_IN_LIMIT)
            ]
        counts = Counter()
        for chunk in chunks:
            for row in chunk.values(field_name).annotate(count=Count("pk")):
                counts[row[field_name]] += row["count"]
        return OrderedDict(counts.most_common())


class WhooshSearchBackend(BaseSearchBackend):
    query_compiler_class = WhooshSearchQueryCompiler
    autocomplete_query_compiler_class = WhooshAutocompleteQueryCompiler
    results_class = WhooshSearchResults
    index_class = WhooshIndex
    rebuilder_class = WhooshRebuilder

    def __init__(self, params):
        super().__init__(params)
        path = params.get("PATH")
        if not path:
            raise ImproperlyConfigured("The Whoosh search backend needs a PATH (the index folder).")
        self.store = IndexStore(str(path), lock_timeout=float(params.get("LOCK_TIMEOUT", 30)))
        self.index = WhooshIndex(self)

    def get_index_for_model(self, model):
        return self.index

    def all_indexes(self):
        yield self.index

    def suggest(self, query_string: str) -> str | None:
        """A "Did you mean" rewrite of ``query_string`` from the index's vocabulary, or None."""
        if not query_string or not query_string.strip():
            return None
        return suggest_correction(self.store.searcher().reader(), query_string)

    def knows_every_word(self, query_string: str) -> bool:
        """Whether every word of ``query_string`` is in the index, so that it finds something
        without typo correction (a search widens an unknown word to known ones)."""
        return knows_every_word(self.store.searcher().reader(), query_string)


SearchBackend = WhooshSearchBackend
