"""Analyzers and the Whoosh schema shared by every indexed model.

The schema is fixed and model-agnostic. All SearchFields of an object go into one
``text`` field and all AutocompleteFields into one ``autocomplete`` field: searching
one field is much cheaper than one field per model field. Each model field keeps its
own band of token positions in them (see ``band_start``), so ``fields=[...]`` can
still restrict a search to some fields, and each value carries its field's boost.
Filter fields are glob fields (``fi_*``/``ff_*``/``fs_*``), so a new model never needs
a schema change.
"""

import zlib

from whoosh.analysis import (
    Analyzer,
    LowercaseFilter,
    NgramFilter,
    RegexTokenizer,
    StemmingAnalyzer,
)
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema

# Separators used to pack several (field, boost, text) values into one field value.
SEGMENT_SEP = "\x1e"
PART_SEP = "\x1f"
# Positions of a field's tokens start at band_start(field): 2**24 positions per band.
BAND_BITS = 24
# Position gap between two values in the same band, so a phrase never spans them.
SEGMENT_GAP = 100
AUTOCOMPLETE_MAX_GRAM = 20


def band_start(field_path: str) -> int:
    """The first token position of a field's values (a stable hash of its name)."""
    return (zlib.crc32(field_path.encode()) & 0xFFFFF) << BAND_BITS


def band_end(field_path: str) -> int:
    return band_start(field_path) + (1 << BAND_BITS)


class BandedSegmentsAnalyzer(Analyzer):
    """Analyzes ``field<US>boost<US>text<RS>...``: each token gets its value's boost and
    a position in its field's band.

    Whoosh adds token boosts into the posting weight, which BM25F uses as the term
    frequency, so a title word outweighs a body word within the one field.
    Plain text (queries) goes straight to the inner analyzer.
    """

    def __init__(self, inner):
        self.inner = inner

    def has_morph(self):
        return self.inner.has_morph()

    def __call__(self, value, positions=False, start_pos=0, **kwargs):
        if SEGMENT_SEP not in value and PART_SEP not in value:
            yield from self.inner(value, positions=positions, start_pos=start_pos, **kwargs)
            return
        next_pos = {}
        for segment in value.split(SEGMENT_SEP):
            field_path, boost_text, text = segment.split(PART_SEP, 2)
            boost = float(boost_text or 1.0)
            pos = next_pos.get(field_path, band_start(field_path))
            last = pos
            for token in self.inner(text, positions=True, start_pos=pos, **kwargs):
                token.boost = boost
                last = token.pos
                yield token
            next_pos[field_path] = last + SEGMENT_GAP


def pack_segments(segments: list[tuple[str, float, str]]) -> str:
    """Packs (field path, boost, text) values for ``BandedSegmentsAnalyzer``.

    Values are ordered by band so token positions increase, as Whoosh's phrase and
    span matchers expect.
    """

    def clean(text):
        return text.replace(SEGMENT_SEP, " ").replace(PART_SEP, " ")

    ordered = sorted((s for s in segments if s[2]), key=lambda s: band_start(s[0]))
    return SEGMENT_SEP.join(f"{path}{PART_SEP}{boost:g}{PART_SEP}{clean(text)}" for path, boost, text in ordered)


def text_analyzer():
    return StemmingAnalyzer()


def autocomplete_query_analyzer():
    return RegexTokenizer() | LowercaseFilter()


def autocomplete_index_analyzer():
    return autocomplete_query_analyzer() | NgramFilter(minsize=1, maxsize=AUTOCOMPLETE_MAX_GRAM, at="start")


def surface_words(texts) -> str:
    """The distinct words of ``texts`` as people wrote them (lowercased, unstemmed), for ``words``."""
    analyzer = autocomplete_query_analyzer()
    return " ".join(sorted({token.text for text in texts for token in analyzer(text)}))


def make_schema() -> Schema:
    schema = Schema(
        # "<root content type>:<pk>": one document per object, whatever its subclass.
        doc_id=ID(stored=True, unique=True, sortable=True),
        # Content types of the object's class and all its indexed parents.
        doc_ct=KEYWORD(scorable=False),
        # Paths of filter fields whose value is None (for __isnull).
        doc_null=KEYWORD(scorable=False),
        # All SearchFields, banded and boosted.
        text=TEXT(analyzer=BandedSegmentsAnalyzer(text_analyzer()), phrase=True),
        # All AutocompleteFields as edge n-grams, banded.
        autocomplete=TEXT(analyzer=BandedSegmentsAnalyzer(autocomplete_index_analyzer()), phrase=True),
        # The SearchFields' words as written, unstemmed: the vocabulary "did you mean" offers
        # ("silence", never the stem "silenc"). One term per distinct word, no positions.
        words=KEYWORD(scorable=False),
    )
    schema.add("fi_*", NUMERIC(int, bits=64, signed=True), glob=True)
    schema.add("ff_*", NUMERIC(float, bits=64, signed=True), glob=True)
    schema.add("fs_*", ID(), glob=True)
    return schema


_text_analyzer = text_analyzer()
# The same tokens as _text_analyzer, unstemmed and with stop words.
_word_analyzer = autocomplete_query_analyzer()


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
