"""Compiling modelsearch queries and queryset filters into whoosh.query objects.

User text is never given to Whoosh's query parser (where quotes, colons and AND are
syntax): it is analyzed into tokens and the query objects are built from them.
"""

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Subquery
from django.db.models.expressions import Col
from django.db.models.functions.datetime import Extract
from django.db.models.lookups import Lookup
from django.db.models.sql import Query
from django.db.models.sql.constants import MULTI, SINGLE
from django.db.models.sql.where import NothingNode, WhereNode
from whoosh import query as wq

from modelsearch.index import AutocompleteField, RelatedFields, SearchField
from modelsearch.query import And, Boost, Fuzzy, MatchAll, Not, Or, Phrase, PlainText

from .analysis import AUTOCOMPLETE_MAX_GRAM, autocomplete_query_analyzer, text_analyzer
from .documents import encode_filter_value, filter_field_name

SUPPORTED_LOOKUPS = {"exact", "isnull", "startswith", "prefix", "gt", "gte", "lt", "lte", "range", "in"}
# Typo corrections tried per unknown word.
MAX_CORRECTIONS = 5

_text_analyzer = text_analyzer()
_autocomplete_analyzer = autocomplete_query_analyzer()


class NeedsDatabase(Exception):
    """The queryset filter cannot be expressed against the index; the database applies it."""


class FilterQuery:
    """Wraps a whoosh query so modelsearch's truthiness checks keep it."""

    def __init__(self, query):
        self.query = query


def analyze(text: str) -> list[tuple[str, str, int]]:
    """(word, stem, position) for each indexable word of ``text``."""
    words = {
        t.pos: t.text
        for t in _text_analyzer(text, positions=True, nomorph=True, mode="query")
    }
    return [
        (words.get(t.pos, t.text), t.text, t.pos)
        for t in _text_analyzer(text, positions=True, mode="query")
    ]


def with_boost(q, boost):
    if boost == 1 or q is wq.NullQuery:
        return q
    return q.with_boost(q.boost * boost)


def combine(queries, operator):
    """And/Or with MatchAll/MatchNone simplified (whoosh's normalize() turns And(x, Every) into Every)."""
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

    def __init__(self, search_fields=None, reader=None, correct_typos=True):
        # None: the combined "text" field; else [(whoosh field, boost)].
        self.search_fields = search_fields
        self.reader = reader
        self.correct_typos = correct_typos and reader is not None

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

    def _fields(self):
        return self.search_fields or [("text", 1.0)]

    def _term(self, stem):
        terms = [wq.Term(name, stem, boost=boost) for name, boost in self._fields()]
        return terms[0] if len(terms) == 1 else wq.Or(terms)

    def plain_text(self, text, operator):
        words = analyze(text)
        if not words:
            return wq.NullQuery
        return combine([self._word(word, stem) for word, stem, _ in words], operator)

    def _word(self, word, stem):
        if self.correct_typos and not self.reader.doc_frequency("text", stem):
            corrections = corrections_for(self.reader, word)
            if corrections:
                return wq.Or([with_boost(self._term(s), 0.8) for s in corrections])
        return self._term(stem)

    def phrase(self, text):
        words = analyze(text)
        if not words:
            return wq.NullQuery
        if len(words) == 1:
            return self._term(words[0][1])
        stems = [stem for _, stem, _ in words]
        positions = [pos for _, _, pos in words]
        gap = max(b - a for a, b in zip(positions, positions[1:], strict=False))
        phrases = [
            wq.Phrase(name, stems, slop=gap, boost=boost) for name, boost in self._fields()
        ]
        return phrases[0] if len(phrases) == 1 else wq.Or(phrases)

    def fuzzy(self, text, operator):
        words = analyze(text)
        if not words:
            return wq.NullQuery
        parts = []
        for _word, stem, _ in words:
            maxdist = 1 if len(stem) <= 5 else 2
            terms = [
                wq.FuzzyTerm(name, stem, boost=boost, maxdist=maxdist, prefixlength=1)
                for name, boost in self._fields()
            ]
            parts.append(terms[0] if len(terms) == 1 else wq.Or(terms))
        return combine(parts, operator)


class AutocompleteQueryBuilder(SearchQueryBuilder):
    """Matches typed words as prefixes against the edge n-gram field."""

    def _fields(self):
        return self.search_fields or [("autocomplete", 1.0)]

    def plain_text(self, text, operator):
        grams = [
            t.text[:AUTOCOMPLETE_MAX_GRAM] for t in _autocomplete_analyzer(text, mode="query")
        ]
        if not grams:
            return wq.NullQuery
        return combine([self._term(gram) for gram in grams], operator)

    def phrase(self, text):
        return self.plain_text(text, "and")

    def fuzzy(self, text, operator):
        return self.plain_text(text, operator)


def corrections_for(reader, word: str) -> list[str]:
    """Stems of indexed words within a small edit distance of ``word``, most common first."""
    spell_field = "spell_text"
    if len(word) < 3 or spell_field not in reader.schema:
        return []
    maxdists = (1, 2) if len(word) >= 5 else (1,)
    for maxdist in maxdists:
        candidates = set(reader.terms_within(spell_field, word, maxdist, prefix=1))
        candidates.discard(word)
        stems = {}
        for candidate in candidates:
            for token in _text_analyzer(candidate, mode="query"):
                freq = reader.doc_frequency("text", token.text)
                if freq:
                    stems[token.text] = freq
        if stems:
            return sorted(stems, key=stems.get, reverse=True)[:MAX_CORRECTIONS]
    return []


def suggest_correction(reader, text: str) -> str | None:
    """A "did you mean" rewrite of ``text`` from the index vocabulary, or None if all words are known."""
    spell_field = "spell_text"
    if spell_field not in reader.schema:
        return None
    corrector = reader.corrector(spell_field)
    known_stems = {stem for _, stem, _ in analyze(text)}
    changed = False
    out = []
    for t in _text_analyzer(text, nomorph=True, removestops=False, mode="query"):
        word = t.text
        stems = [s.text for s in _text_analyzer(word, mode="query")]
        if not stems or all(reader.doc_frequency("text", s) for s in stems):
            out.append(word)
            continue
        suggestions = corrector.suggest(word, limit=1, maxdist=2, prefix=1)
        if suggestions and suggestions[0] != word:
            out.append(suggestions[0])
            changed = True
        else:
            out.append(word)
    del known_stems
    return " ".join(out) if changed else None


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


def text_search_fields(model, names, field_type=SearchField, prefix="t_"):
    """[(whoosh field, boost)] for a ``fields=[...]`` restriction."""
    by_name = {
        f.field_name: f for f in model.get_search_fields() if isinstance(f, field_type)
    }
    out = []
    for name in names:
        field = by_name.get(name)
        if field is None:
            continue
        boost = float(getattr(field, "boost", None) or 1.0)
        out.append((f"{prefix}{name}", boost))
    return out


def autocomplete_search_fields(model, names):
    return text_search_fields(model, names, field_type=AutocompleteField, prefix="a_")
