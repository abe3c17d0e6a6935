"""Snippets for search results: the part of a text around the query's words, words marked."""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WORD = re.compile(r"\w+", re.UNICODE)


def query_words(query: str) -> list[str]:
    return [word.lower() for word in WORD.findall(query) if len(word) > 1]


def _word_pattern(words: list[str]) -> re.Pattern | None:
    """Matches each query word and its inflections ("objections" for "objection", "pricing" for "price")."""
    stems = sorted({word[: max(4, len(word) - 3)] if len(word) > 4 else word for word in words}, key=len, reverse=True)
    if not stems:
        return None
    alternatives = "|".join(re.escape(stem) for stem in stems)
    return re.compile(rf"\b(?:{alternatives})\w*", re.IGNORECASE)


def highlight(text: str, query: str, *, width: int = 220) -> SafeString:
    """Escapes ``text``, cuts it to ``width`` characters around the first match and marks the matches."""
    text = " ".join((text or "").split())
    pattern = _word_pattern(query_words(query))
    first = pattern.search(text) if pattern else None
    start = 0
    if first and first.start() > width // 3:
        start = text.rfind(" ", 0, first.start() - width // 3) + 1
    end = min(len(text), start + width)
    if end < len(text):
        end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
    window = text[start:end]
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    if not pattern:
        return mark_safe(prefix + escape(window) + suffix)
    pieces, last = [], 0
    for match in pattern.finditer(window):
        pieces.append(escape(window[last : match.start()]))
        pieces.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    pieces.append(escape(window[last:]))
    return mark_safe(prefix + "".join(pieces) + suffix)
