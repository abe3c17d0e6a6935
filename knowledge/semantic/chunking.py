"""Splitting long timed text (transcript cues) into chunks the encoder reads whole."""

from collections.abc import Iterable

# The encoder reads 256 word pieces; about 120 English words stay well inside that.
CHUNK_WORDS = 120


def chunk_cues(cues: Iterable[tuple[float, str]], *, max_words: int = CHUNK_WORDS) -> list[tuple[int, str, float]]:
    """Group (start_seconds, text) cues into (chunk, text, start_seconds) of at most max_words.

    A cue is never split unless it alone is longer than max_words; each chunk starts
    at its first cue, so a hit can link to that moment of the video.
    """
    chunks: list[tuple[int, str, float]] = []
    words: list[str] = []
    start = 0.0

    def close():
        if words:
            chunks.append((len(chunks), " ".join(words), start))
            words.clear()

    for cue_start, text in cues:
        cue_words = text.split()
        if words and len(words) + len(cue_words) > max_words:
            close()
        if not words:
            start = float(cue_start)
        while len(cue_words) > max_words:
            words.extend(cue_words[:max_words])
            cue_words = cue_words[max_words:]
            close()
            start = float(cue_start)
        words.extend(cue_words)
    close()
    return chunks
