"""Analyzers and the Whoosh schema shared by every indexed model.

The schema is fixed and model-agnostic: per-model fields are glob fields
(``t_*`` text, ``a_*`` autocomplete, ``fi_*``/``ff_*``/``fs_*`` filters), so a
new model or ``search_fields`` entry never needs a schema change.
"""

from whoosh.analysis import (
    Analyzer,
    LowercaseFilter,
    NgramFilter,
    RegexTokenizer,
    StemmingAnalyzer,
)
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema

# Separators used to pack several boosted field values into the one "text" field.
SEGMENT_SEP = "\x1e"
BOOST_SEP = "\x1f"
# Position gap between packed values so a phrase never spans two fields.
SEGMENT_GAP = 100
AUTOCOMPLETE_MAX_GRAM = 20


class BoostedSegmentsAnalyzer(Analyzer):
    """Analyzes ``boost<US>text<RS>boost<US>text...`` giving each token its segment's boost.

    Whoosh adds token boosts into the posting weight, which BM25F uses as the term
    frequency: a title word weighs ten times a body word in a single field, which is
    much cheaper to search than one field per model field.
    """

    def __init__(self, inner):
        self.inner = inner

    def has_morph(self):
        return self.inner.has_morph()

    def __call__(self, value, positions=False, start_pos=0, **kwargs):
        if SEGMENT_SEP not in value and BOOST_SEP not in value:
            yield from self.inner(value, positions=positions, start_pos=start_pos, **kwargs)
            return
        pos = start_pos
        for segment in value.split(SEGMENT_SEP):
            boost_text, _, text = segment.partition(BOOST_SEP)
            boost = float(boost_text or 1.0)
            last = pos
            for token in self.inner(text, positions=True, start_pos=pos, **kwargs):
                token.boost = boost
                last = token.pos
                yield token
            pos = last + SEGMENT_GAP


def pack_segments(segments: list[tuple[float, str]]) -> str:
    """Packs (boost, text) pairs for ``BoostedSegmentsAnalyzer``."""
    return SEGMENT_SEP.join(
        f"{boost:g}{BOOST_SEP}{text.replace(SEGMENT_SEP, ' ').replace(BOOST_SEP, ' ')}"
        for boost, text in segments
        if text
    )


def text_analyzer():
    return StemmingAnalyzer()


def autocomplete_query_analyzer():
    return RegexTokenizer() | LowercaseFilter()


def autocomplete_index_analyzer():
    return autocomplete_query_analyzer() | NgramFilter(
        minsize=1, maxsize=AUTOCOMPLETE_MAX_GRAM, at="start"
    )


def make_schema() -> Schema:
    schema = Schema(
        # "<root content type>:<pk>": one document per object, whatever its subclass.
        doc_id=ID(stored=True, unique=True, sortable=True),
        # Content types of the object's class and all its indexed parents.
        doc_ct=KEYWORD(scorable=False),
        # Paths of filter fields whose value is None (for __isnull).
        doc_null=KEYWORD(scorable=False),
        # All SearchFields, packed with their boosts; searched when no fields= is given.
        # spelling=True adds "spell_text" with the unstemmed words, for typo corrections.
        text=TEXT(
            analyzer=BoostedSegmentsAnalyzer(text_analyzer()), phrase=True, spelling=True
        ),
        # All AutocompleteFields as edge n-grams.
        autocomplete=TEXT(analyzer=autocomplete_index_analyzer(), phrase=False),
    )
    schema.add("t_*", TEXT(analyzer=text_analyzer(), phrase=True), glob=True)
    schema.add("a_*", TEXT(analyzer=autocomplete_index_analyzer(), phrase=False), glob=True)
    schema.add("fi_*", NUMERIC(int, bits=64, signed=True), glob=True)
    schema.add("ff_*", NUMERIC(float, bits=64, signed=True), glob=True)
    schema.add("fs_*", ID(), glob=True)
    return schema
