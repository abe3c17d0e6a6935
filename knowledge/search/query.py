"""Compiling modelsearch queries and queryset filters into whoosh.query objects.

User text is never given to Whoosh's query parser (where quotes, colons and AND are
syntax): it is analyzed into tokens and the query objects are built from them.
"""

from functools import lru_cache

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Subquery
from django.db.models.expressions import Col
from django.db.models.functions.datetime import Extract
from django.db.models.lookups import Lookup
from django.db.models.sql import Query
from django.db.models.sql.constants import MULTI, SINGLE
from django.db.models.sql.where import NothingNode, WhereNode
from modelsearch.index import AutocompleteField, RelatedFields, SearchField
from modelsearch.query import And, Boost, Fuzzy, MatchAll, Not, Or, Phrase, PlainText
from whoosh import matching
from whoosh import query as wq
from whoosh.lang.porter import stem as porter_stem
from whoosh.query.spans import SpanNear2, SpanWrappingMatcher, WrappingSpan

from .analysis import (
    AUTOCOMPLETE_MAX_GRAM,
    autocomplete_query_analyzer,
    band_end,
    band_start,
    text_analyzer,
)
from .documents import encode_filter_value, filter_field_name

SUPPORTED_LOOKUPS = {
    "exact",
    "isnull",
    "startswith",
    "prefix",
    "gt",
    "gte",
    "lt",
    "lte",
    "range",
    "in",
}
# Typo corrections tried per unknown word.
MAX_CORRECTIONS = 5

_text_analyzer = text_analyzer()
# The same tokens as _text_analyzer, unstemmed and with stop words.
_word_analyzer = autocomplete_query_analyzer()
_autocomplete_analyzer = autocomplete_query_analyzer()


class FilterQuery:
    """Wraps a whoosh query so modelsearch's truthiness checks keep it."""

    def __init__(self, query):
        self.query = query


def analyze(text: str) -> list[tuple[str, str, int]]:
    """(word, stem, position) for each indexable word of ``text``.

    Positions count indexable words only, as the index's do (stop words are
    dropped and the rest renumbered).
    """
    out = []
    for token in _word_analyzer(text, mode="query"):
        word = token.text
        for stemmed in _text_analyzer(word, mode="query"):
            out.append((word, stemmed.text, len(out)))
    return out


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
        raise NotImplementedError(
            f"`{query.__class__.__name__}` is not supported by the Whoosh search backend."
        )

    field_name = "text"

    def _over_fields(self, make):
        """``make(fieldname, spans)`` over the whole field, or ORed over each model
        field's band of it when the search is restricted to some fields."""
        if not self.search_fields:
            return make(self.field_name, spans=False)
        parts = [
            FieldBand(make(self.field_name, spans=True), path, boost=boost)
            for path, boost in self.search_fields
        ]
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
            corrections = self.cache(
                ("corrections", word), lambda: corrections_for(self.reader, word)
            )
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


class Correction:
    def __init__(self, word, stem, doc_frequency):
        self.word = word
        self.stem = stem
        self.doc_frequency = doc_frequency


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    return porter_stem(word)


def _edits(word: str) -> set[str]:
    """Words one insertion, deletion, substitution or transposition away."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return {
        *(a + b[1:] for a, b in splits if b),
        *(a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1),
        *(a + c + b[1:] for a, b in splits if b for c in letters),
        *(a + c + b for a, b in splits for c in letters),
    }


def corrections_for(reader, word: str) -> list[Correction]:
    """Known words one edit away from an unknown ``word``, most common first.

    The index holds stems, and a typo's stem is often far from the right one
    ("handlign" vs "handl"), so the edits are made to the word as typed and
    each is stemmed and looked up.
    """
    word = word.lower()
    if len(word) < 4 or not word.isalpha():
        return []
    found = {}
    for candidate in _edits(word):
        candidate_stem = stem(candidate)
        if candidate_stem in found:
            continue
        frequency = reader.doc_frequency("text", candidate_stem)
        if frequency:
            found[candidate_stem] = Correction(candidate, candidate_stem, frequency)
    if not found and len(word) >= 7:
        # Two edits away: Whoosh's automaton over the stems themselves.
        for candidate_stem in reader.terms_within("text", stem(word), 2, prefix=1):
            frequency = reader.doc_frequency("text", candidate_stem)
            found[candidate_stem] = Correction(candidate_stem, candidate_stem, frequency)
    ranked = sorted(found.values(), key=lambda c: c.doc_frequency, reverse=True)
    return ranked[:MAX_CORRECTIONS]


def _written_corrections(reader, word: str) -> list[str]:
    """Words people wrote one edit from ``word`` (two for long words), most common first.

    Inflections ("renewal" for "renewals") are left out: the stem already finds them.
    """
    if len(word) < 4 or not word.isalpha():
        return []

    def is_inflection(candidate):
        return candidate.startswith(word) or word.startswith(candidate)

    found = {c: f for c in _edits(word) if not is_inflection(c) and (f := reader.doc_frequency("words", c))}
    if not found and len(word) >= 7:
        found = {
            c: reader.doc_frequency("words", c)
            for c in reader.terms_within("words", word, 2, prefix=1)
            if not is_inflection(c)
        }
    return sorted(found, key=lambda c: (-found[c], c))


def suggest_correction(reader, text: str) -> str | None:
    """A "did you mean" rewrite of ``text``, or None.

    Only a word nobody wrote is rewritten, and only into a word somebody wrote (the
    ``words`` field holds them unstemmed, so a suggestion never shows a stem). Whether
    the rewrite finds more is for the caller to check. An index built before the
    ``words`` field suggests nothing until it is rebuilt.
    """
    if "words" not in reader.schema:
        return None
    changed = False
    out = []
    for token in _word_analyzer(text, mode="query"):
        word = token.text
        if not list(_text_analyzer(word, mode="query")) or reader.doc_frequency("words", word):
            out.append(word)  # a stop word, or a word somebody wrote
            continue
        corrections = _written_corrections(reader, word)
        if corrections:
            out.append(corrections[0])
            changed = True
        else:
            out.append(word)
    return " ".join(out) if changed else None


def knows_every_word(reader, text: str) -> bool:
    """Whether the index has every word of ``text`` (by stem), so the words as typed find something."""
    return all(reader.doc_frequency("text", stemmed) for _word, stemmed, _pos in analyze(text))


# Filters


def where_needs_database(queryset) -> bool:
    """True when a filter spans a relation, an unindexable lookup or a skipped pointer field."""
    return _node_needs_database(queryset.query, queryset.query.where)


def _node_needs_database(query, node) -> bool:
    if isinstance(node, NothingNode):
        return False
    if isinstance(node, WhereNode):
        return any(_node_needs_database(query, child) for child in node.children)
    if not isinstance(node, Lookup):
        return True
    lhs = node.lhs
    if isinstance(lhs, Extract):
        lhs = lhs.lhs
    if not isinstance(lhs, Col):
        return True
    if node.lookup_name not in SUPPORTED_LOOKUPS and not isinstance(node.lhs, Extract):
        return True
    # modelsearch ignores "*_ptr_id" lookups (child page types); the database must apply them.
    if lhs.target.attname.endswith("_ptr_id"):
        return True
    alias = lhs.alias
    while alias is not None:
        join = query.alias_map[alias]
        join_field = getattr(join, "join_field", None)
        if join_field is not None and not (
            join_field.one_to_one and getattr(join_field.remote_field, "parent_link", False)
        ):
            return True
        alias = getattr(join, "parent_alias", None)
    return False


def _resolve_subquery(value, queryset, many):
    if isinstance(value, (Query, Subquery)):
        db_alias = queryset._db or DEFAULT_DB_ALIAS
        sql_query = value.query if isinstance(value, Subquery) else value
        if many:
            rows = sql_query.get_compiler(db_alias).execute_sql(result_type=MULTI)
            return [row[0] for chunk in rows for row in chunk]
        row = sql_query.get_compiler(db_alias).execute_sql(result_type=SINGLE)
        return row[0] if row else None
    return value


def lookup_query(queryset, field_path, lookup, value):
    """The whoosh query for one ``field__lookup=value`` filter."""
    model = queryset.model
    for related in field_path[:-1]:
        if isinstance(related, RelatedFields):
            model = related.get_field(model).related_model
    field = field_path[-1]
    path = "__".join(f.field_name for f in field_path)
    internal_type = field.get_type(model)
    name = filter_field_name(path, internal_type)

    def enc(v):
        return encode_filter_value(v, internal_type)

    if lookup == "isnull":
        q = wq.Term("doc_null", path)
        return q if value else wq.Not(q)
    if lookup == "exact":
        value = _resolve_subquery(value, queryset, many=False)
        if value is None:
            return wq.Term("doc_null", path)
        return wq.Term(name, enc(value))
    if lookup == "in":
        values = _resolve_subquery(value, queryset, many=True)
        values = [v for v in values if v is not None]
        if not values:
            return wq.NullQuery
        return wq.Or([wq.Term(name, enc(v)) for v in values])
    if lookup in ("startswith", "prefix"):
        return wq.Prefix(name, enc(value))
    if lookup in ("gt", "gte", "lt", "lte", "range"):
        if lookup == "range":
            start, end = (enc(v) for v in value)
            startexcl = endexcl = False
        else:
            start = enc(value) if lookup in ("gt", "gte") else None
            end = enc(value) if lookup in ("lt", "lte") else None
            startexcl, endexcl = lookup == "gt", lookup == "lt"
        if name.startswith("fs_"):
            return wq.TermRange(name, start, end, startexcl=startexcl, endexcl=endexcl)
        return wq.NumericRange(name, start, end, startexcl=startexcl, endexcl=endexcl)
    return None


def text_search_fields(model, names, field_type=SearchField):
    """[(field path, boost)] for a ``fields=[...]`` restriction."""
    by_name = {f.field_name: f for f in model.get_search_fields() if isinstance(f, field_type)}
    return [
        (name, float(getattr(by_name[name], "boost", None) or 1.0))
        for name in names
        if name in by_name
    ]


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
            return [
                span
                for span in self.child.spans()
                if self.start <= span.start and span.end < self.end
            ]
