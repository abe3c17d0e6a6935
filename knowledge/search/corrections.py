"""Typo tolerance and "did you mean": known words near an unknown one, from the index's vocabulary."""

from functools import lru_cache

from whoosh.lang.porter import stem as porter_stem

from .analysis import _text_analyzer, _word_analyzer, analyze

# Typo corrections tried per unknown word.
MAX_CORRECTIONS = 5


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
