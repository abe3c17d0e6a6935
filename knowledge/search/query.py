"""Compiling modelsearch queries and queryset filters into whoosh.query objects.

User text is never given to Whoosh's query parser (where quotes, colons and AND are
syntax): it is analyzed into tokens and the query objects are built from them.
"""

from modelsearch.index import AutocompleteField, SearchField
from modelsearch.query import And, Boost, Fuzzy, MatchAll, Not, Or, Phrase, PlainText
from whoosh import matching
from whoosh import query as wq
from whoosh.query.spans import SpanNear2, SpanWrappingMatcher, WrappingSpan

from .analysis import AUTOCOMPLETE_MAX_GRAM, analyze, autocomplete_query_analyzer, band_end, band_start
from .corrections import corrections_for

_autocomplete_analyzer = autocomplete_query_analyzer()


class FilterQuery:
    """Wraps a whoosh query so modelsearch's truthiness checks keep it."""

    def __init__(self, query):
        self.query = query


def with_boost(q, boost):
    if boost == 1 or q is wq.NullQuery:
        return q
    return q.with_boost(q.boost * boost)


def combine(queries, operator):
    """And/Or with MatchAll/MatchNone simplified.

    Not whoosh's own normalize(): it turns And(x, Every()) into Every().
    """
    if operator == "and":
        if any(q is wq.NullQuery for q in queries):
            return wq.NullQuery
        queries = [q for q in queries if not _is_every(q)] or [wq.Every()]
        return queries[0] if len(queries) == 1 else wq.And(queries)
    queries = [q for q in queries if q is not wq.NullQuery]
    if not queries:
        return wq.NullQuery
    if any(_is_every(q) for q in queries):
        return wq.Every()
    return queries[0] if len(queries) == 1 else wq.Or(queries)


def _is_every(q):
    return isinstance(q, wq.Every) and q.fieldname is None


def negate(q):
    if q is wq.NullQuery:
        return wq.Every()
    if _is_every(q):
        return wq.NullQuery
    if isinstance(q, wq.Not):
        return q.query
    return wq.Not(q)


class SearchQueryBuilder:
    """Builds the whoosh query for a modelsearch query over whole words."""

    def __init__(self, search_fields=None, reader=None, cache=None):
        # None: the whole field; else [(model field path, boost)] to restrict it to.
        self.search_fields = search_fields
        # With a reader, words missing from the index are widened to known words.
        self.reader = reader
        self.correct_typos = reader is not None
        self.cache = cache or (lambda key, build: build())

    def build(self, query):
        if isinstance(query, MatchAll):
            return wq.Every()
        if isinstance(query, Not):
            return negate(self.build(query.subquery))
        if isinstance(query, And):
            return combine([self.build(q) for q in query.subqueries], "and")
        if isinstance(query, Or):
            return combine([self.build(q) for q in query.subqueries], "or")
        if isinstance(query, Boost):
            return with_boost(self.build(query.subquery), query.boost)
        if isinstance(query, PlainText):
            return with_boost(self.plain_text(query.query_string, query.operator), query.boost)
        if isinstance(query, Phrase):
            return self.phrase(query.query_string)
        if isinstance(query, Fuzzy):
            return self.fuzzy(query.query_string, query.operator)
        raise NotImplementedError(f"`{query.__class__.__name__}` is not supported by the Whoosh search backend.")

    field_name = "text"

    def _over_fields(self, make):
        """``make(fieldname, spans)`` over the whole field, or ORed over each model
        field's band of it when the search is restricted to some fields."""
        if not self.search_fields:
            return make(self.field_name, spans=False)
        parts = [FieldBand(make(self.field_name, spans=True), path, boost=boost) for path, boost in self.search_fields]
        return parts[0] if len(parts) == 1 else wq.Or(parts)

    def _term(self, stem):
        return self._over_fields(lambda name, spans: wq.Term(name, stem))

    def plain_text(self, text, operator):
        words = analyze(text)
        if not words:
            return wq.NullQuery
        return combine([self._word(word, stem) for word, stem, _ in words], operator)

    def _word(self, word, stem):
        if self.correct_typos and not self.reader.doc_frequency("text", stem):
            corrections = self.cache(("corrections", word), lambda: corrections_for(self.reader, word))
            if corrections:
                return wq.Or([with_boost(self._term(c.stem), 0.8) for c in corrections])
        return self._term(stem)

    def phrase(self, text):
        words = analyze(text)
        if not words:
            return wq.NullQuery
        if len(words) == 1:
            return self._term(words[0][1])
        # Stop words are dropped and positions renumbered, in the index as here, so
        # "lord of the rings" matches where "lord" and "ring" are next to each other.
        stems = [stem for _, stem, _ in words]

        def make(name, spans):
            if spans:
                return SpanNear2([wq.Term(name, s) for s in stems], slop=1, ordered=True)
            return wq.Phrase(name, stems, slop=1)

        return self._over_fields(make)

    def fuzzy(self, text, operator):
        words = analyze(text)
        if not words:
            return wq.NullQuery
        parts = []
        for _word, stem, _ in words:
            maxdist = 1 if len(stem) <= 5 else 2
            parts.append(
                self._over_fields(
                    lambda name, spans, stem=stem, maxdist=maxdist: wq.FuzzyTerm(
                        name, stem, maxdist=maxdist, prefixlength=1
                    )
                )
            )
        return combine(parts, operator)


class AutocompleteQueryBuilder(SearchQueryBuilder):
    """Matches typed words as prefixes against the edge n-gram field."""

    field_name = "autocomplete"

    def plain_text(self, text, operator):
        grams = [t.text[:AUTOCOMPLETE_MAX_GRAM] for t in _autocomplete_analyzer(text, mode="query")]
        if not grams:
            return wq.NullQuery
        return combine([self._term(gram) for gram in grams], operator)

    def phrase(self, text):
        return self.plain_text(text, "and")

    def fuzzy(self, text, operator):
        return self.plain_text(text, operator)


def text_search_fields(model, names, field_type=SearchField):
    """[(field path, boost)] for a ``fields=[...]`` restriction."""
    by_name = {f.field_name: f for f in model.get_search_fields() if isinstance(f, field_type)}
    return [(name, float(getattr(by_name[name], "boost", None) or 1.0)) for name in names if name in by_name]


def autocomplete_search_fields(model, names):
    return [(name, 1.0) for name, _boost in text_search_fields(model, names, AutocompleteField)]


class FieldBand(WrappingSpan):
    """Matches ``q`` only within one model field's band of token positions."""

    def __init__(self, q, path, boost=1.0):
        self.q = q
        self.path = path
        self.boost = boost
        self.start = band_start(path)
        self.end = band_end(path)

    def __eq__(self, other):
        return (
            other
            and self.__class__ is other.__class__
            and self.q == other.q
            and self.path == other.path
            and self.boost == other.boost
        )

    def __hash__(self):
        return hash(self.q) ^ hash(self.path) ^ hash(self.boost)

    def __repr__(self):
        return f"FieldBand({self.q!r}, {self.path!r}, boost={self.boost!r})"

    def with_boost(self, boost):
        return FieldBand(self.q, self.path, boost=boost)

    def estimate_size(self, ixreader):
        return self.q.estimate_size(ixreader)

    def estimate_min_size(self, ixreader):
        return 0

    def matcher(self, searcher, context=None):
        m = FieldBand.Matcher(self._subm(searcher, context), self.start, self.end)
        return m if self.boost == 1 else matching.WrappingMatcher(m, self.boost)

    class Matcher(SpanWrappingMatcher):
        def __init__(self, child, start, end):
            self.start = start
            self.end = end
            super().__init__(child)

        def copy(self):
            return self.__class__(self.child.copy(), self.start, self.end)

        def _replacement(self, newchild):
            return self.__class__(newchild, self.start, self.end)

        def _get_spans(self):
            return [span for span in self.child.spans() if self.start <= span.start and span.end < self.end]
