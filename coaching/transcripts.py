"""Transcripts: WebVTT and SRT parsing (errors name the wrong line), WebVTT output, cue indexing.

Parsing reads one line at a time and stops at MAX_CUES or MAX_TEXT_CHARS: a huge caption file
is refused in milliseconds, in the memory of one cue, instead of taking a worker down.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from modelsearch.backends import get_search_backends
from modelsearch.index import insert_or_update_object

TIMING = re.compile(
    r"^\s*(?P<start>(?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?)\s*-->\s*"
    r"(?P<end>(?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?)(?:\s+.*)?$"
)
# A line holding a time is a (maybe mistyped) timing line, not a cue identifier.
LOOKS_LIKE_TIME = re.compile(r"^\s*(?:\d+:)?\d{1,2}:\d{2}[.,]\d")
TAG = re.compile(r"<[^>]*>")
EXAMPLE_TIMING = "00:01:23.000 --> 00:01:27.500"
logger = logging.getLogger(__name__)
# A 30-minute talk has about 500 cues and 30 KB of words; 2,000 cues is a two-hour talk. Without a
# task worker the cues are indexed inside the upload request: 5,000 took about 55 s on a busy
# 2-core machine, too near gunicorn's 60 s timeout.
MAX_CUES = 2_000
MAX_TEXT_CHARS = 200_000


class TranscriptError(ValueError):
    """A caption file that cannot be read; the message names the line that is wrong."""

    def __init__(self, line: int, message: str):
        self.line = line
        super().__init__(f"Line {line}: {message}")


class TranscriptTooLong(TranscriptError):
    """More cues or words than one video's transcript holds; refused before reading the rest."""

    def __init__(self, line: int, message: str):
        self.line = line
        ValueError.__init__(self, message)


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


def parse_timestamp(value: str, line: int) -> float:
    """Seconds from ``01:23.500``, ``00:01:23.500`` or SRT's ``00:01:23,500``."""
    parts = value.replace(",", ".").split(":")
    *rest, seconds_part = parts
    hours = int(rest[0]) if len(rest) == 2 else 0
    minutes = int(rest[-1])
    seconds = float(seconds_part)
    if minutes > 59 or seconds >= 60:
        raise TranscriptError(line, f"“{value}” is not a valid time (minutes and seconds go up to 59).")
    return hours * 3600 + minutes * 60 + seconds


def _timing(text: str, line: int) -> tuple[float, float]:
    match = TIMING.match(text)
    if not match:
        raise TranscriptError(line, f"expected a cue timing like “{EXAMPLE_TIMING}”, found “{text.strip()[:80]}”.")
    start = parse_timestamp(match["start"], line)
    end = parse_timestamp(match["end"], line)
    if end < start:
        raise TranscriptError(line, f"the cue ends ({match['end']}) before it starts ({match['start']}).")
    return start, end


def _clean(lines: list[str]) -> str:
    """Caption markup (<v Name>, <b>, &amp;) removed: the words as spoken."""
    return " ".join(html.unescape(TAG.sub("", line)).strip() for line in lines if line.strip()).strip()


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` one at a time, sliced in place: no list or copy of the whole text."""
    newline = "\n" if "\n" in text else "\r"  # old Mac files end lines with CR alone
    start, length = 0, len(text)
    while start < length:
        end = text.find(newline, start)
        if end == -1:
            end = length
        yield text[start:end].removesuffix("\r")
        start = end + 1


def _blocks(text: str) -> Iterator[tuple[int, list[str]]]:
    """Blank-line separated blocks, each with the 1-based number of its first line."""
    current: list[str] = []
    first = 0
    for number, line in enumerate(_lines(text), start=1):
        if line.strip():
            if not current:
                first = number
            current.append(line.rstrip())
        elif current:
            yield first, current
            current = []
    if current:
        yield first, current


class _CueBudget:
    """Counts cues and their characters while parsing; refuses a transcript past the caps."""

    def __init__(self):
        self.cues: list[Cue] = []
        self.chars = 0

    def add(self, cue: Cue, line: int) -> None:
        self.chars += len(cue.text)
        if len(self.cues) >= MAX_CUES:
            raise TranscriptTooLong(
                line,
                f"The transcript has more than {MAX_CUES:,} cues (cue {MAX_CUES + 1:,} starts "
                f"at line {line:,}). Huddle keeps up to {MAX_CUES:,} per video: split the "
                "recording, or merge short cues, and upload it again.",
            )
        if self.chars > MAX_TEXT_CHARS:
            raise TranscriptTooLong(
                line,
                f"The transcript's words pass {MAX_TEXT_CHARS // 1000:,} KB (at line {line:,}). "
                f"Huddle keeps up to {MAX_TEXT_CHARS // 1000:,} KB of text per video: split the "
                "recording and upload each part's transcript with it.",
            )
        self.cues.append(cue)

    def sorted(self) -> list[Cue]:
        return sorted(self.cues, key=lambda cue: cue.start)


def parse_webvtt(text: str) -> list[Cue]:
    text = text.lstrip("\ufeff")
    first_line = next(_lines(text[:200]), "")
    if not re.match(r"^WEBVTT(?:[ \t].*)?$", first_line):
        raise TranscriptError(1, "a WebVTT file must start with the line “WEBVTT”.")
    budget = _CueBudget()
    blocks = _blocks(text)
    next(blocks, None)  # the header block
    for first, lines in blocks:
        head = lines[0]
        if head.startswith(("NOTE", "STYLE", "REGION")) and "-->" not in head:
            continue
        # An optional cue identifier may come first.
        offset = 0 if "-->" in head or LOOKS_LIKE_TIME.match(head) else 1
        if offset and len(lines) < 2:
            raise TranscriptError(first, f"expected a cue timing like “{EXAMPLE_TIMING}”, found “{head[:80]}”.")
        start, end = _timing(lines[offset], first + offset)
        body = _clean(lines[offset + 1 :])
        if body:
            budget.add(Cue(start, end, body), first)
    return budget.sorted()


def parse_srt(text: str) -> list[Cue]:
    budget = _CueBudget()
    for first, lines in _blocks(text.lstrip("\ufeff")):
        offset = 0
        if "-->" not in lines[0]:
            if not lines[0].strip().isdigit():
                raise TranscriptError(first, f"expected a cue number, found “{lines[0].strip()[:80]}”.")
            offset = 1
            if len(lines) < 2:
                raise TranscriptError(first + 1, "expected a cue timing after the cue number.")
        start, end = _timing(lines[offset], first + offset)
        body = _clean(lines[offset + 1 :])
        if body:
            budget.add(Cue(start, end, body), first)
    return budget.sorted()


def parse_plain(text: str) -> list[Cue]:
    """Pasted text without times: each paragraph is searchable, at second 0."""
    budget = _CueBudget()
    for first, lines in _blocks(text):
        budget.add(Cue(0.0, 0.0, _clean(lines)), first)
    return budget.cues


def parse_transcript(text: str) -> list[Cue]:
    """Reads WebVTT, SRT or plain text (judged by content); TranscriptError names the bad line."""
    stripped = text.lstrip("\ufeff").lstrip()
    if stripped.startswith("WEBVTT"):
        return parse_webvtt(text.lstrip("\ufeff").lstrip("\r\n"))
    if "-->" in text:
        return parse_srt(text)
    return parse_plain(text)


def format_vtt_time(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def to_webvtt(cues) -> str:
    """A WebVTT captions track from cue rows (anything with start_seconds, end_seconds, text)."""
    out = ["WEBVTT", ""]
    for cue in cues:
        if cue.end_seconds <= cue.start_seconds:
            continue  # untimed text is searchable but makes no caption
        out.append(f"{format_vtt_time(cue.start_seconds)} --> {format_vtt_time(cue.end_seconds)}")
        out.append(cue.text.replace("-->", "->"))
        out.append("")
    return "\n".join(out)


def replace_cues(video) -> int:
    """Rebuilds a video's cue rows from its transcript and re-indexes them and the video.

    A transcript the forms would now refuse (saved before the caps) leaves the video without
    cues rather than failing the publication.
    """
    from .models import TranscriptCue

    try:
        cues = parse_transcript(video.transcript_source) if video.transcript_source.strip() else []
    except TranscriptError as error:
        logger.warning("Video %s keeps no transcript cues: %s", video.pk, error)
        cues = []
    listed = bool(video.live and not video.retired)
    backends = list(get_search_backends(with_auto_update=True))
    with transaction.atomic():
        # Existing rows are rewritten in place, so the index replaces their entries in one batch;
        # deleting them would cost the index one write per cue.
        old_ids = list(TranscriptCue.objects.filter(video=video).order_by("pk").values_list("pk", flat=True))
        rows = [
            TranscriptCue(
                pk=old_ids[number] if number < len(old_ids) else None,
                video=video,
                start_seconds=cue.start,
                end_seconds=cue.end,
                text=cue.text,
                listed=listed,
            )
            for number, cue in enumerate(cues)
        ]
        kept, added = rows[: len(old_ids)], rows[len(old_ids) :]
        TranscriptCue.objects.bulk_update(kept, ["start_seconds", "end_seconds", "text", "listed"], batch_size=500)
        TranscriptCue.objects.bulk_create(added, batch_size=500)
        surplus = old_ids[len(rows) :]
        TranscriptCue.objects.filter(pk__in=surplus).delete()
    for backend in backends:
        for pk in surplus:
            backend.delete(TranscriptCue(pk=pk, video=video))
        if rows:
            backend.add_bulk(TranscriptCue, rows)
    insert_or_update_object(video)  # the page's own entry carries the transcript text too
    return len(rows)


def relist_cues(video) -> None:
    """Keeps the cues' ``listed`` flag (what search may show) in step with the video."""
    from .models import TranscriptCue

    listed = bool(video.live and not video.retired)
    cues = TranscriptCue.objects.filter(video=video)
    if not cues.exclude(listed=listed).exists():
        return
    cues.update(listed=listed)
    rows = list(cues)
    for backend in get_search_backends(with_auto_update=True):
        backend.add_bulk(TranscriptCue, rows)
