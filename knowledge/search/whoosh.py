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

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count
from modelsearch.backends.base import BaseIndex, BaseSearchBackend, BaseSearchResults, FilterFieldError
from modelsearch.index import class_is_indexed

from .compiler import (
    EXACT_COUNT_LIMIT,
    DocFilter,
    WhooshAutocompleteQueryCompiler,
    WhooshSearchQueryCompiler,
)
from .corrections import knows_every_word, suggest_correction
from .documents import DocumentBuilder, decode_filter_value, doc_id_for, filter_field_name
from .facets import count_values
from .storage import IndexStore

__all__ = [
    "EXACT_COUNT_LIMIT",
    "DocFilter",
    "SearchBackend",
    "WhooshAutocompleteQueryCompiler",
    "WhooshSearchBackend",
    "WhooshSearchQueryCompiler",
]

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
            _hits, total, _exhaustive = compiler.hits(store, max(self.stop or 0, DEFAULT_PAGE_LIMIT))
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
        if compiler.is_match_none():
            return OrderedDict()
        if compiler.is_match_all():
            qs = compiler.queryset.order_by().prefetch_related(None)  # .values() cannot prefetch
            rows = qs.values(field_name).annotate(count=Count("pk"))
            counts = Counter({row[field_name]: row["count"] for row in rows})
            return OrderedDict(counts.most_common())
        # Counted in the index: no primary key of any match is loaded.
        model = compiler.queryset.model
        searcher, docnums = compiler.matching_docnums(self.backend.store)
        internal_type = field.get_type(model)
        counts = count_values(searcher, filter_field_name(field.field_name, internal_type), docnums)
        return OrderedDict((decode_filter_value(value, internal_type), n) for value, n in counts.most_common())


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
        state = self.store.searcher_state()
        return state.cached(
            ("suggestion", query_string), lambda: suggest_correction(state.searcher.reader(), query_string)
        )

    def knows_every_word(self, query_string: str) -> bool:
        """Whether every word of ``query_string`` is in the index, so that it finds something
        without typo correction (a search widens an unknown word to known ones)."""
        return knows_every_word(self.store.searcher().reader(), query_string)


SearchBackend = WhooshSearchBackend
