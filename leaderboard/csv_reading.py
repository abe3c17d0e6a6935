"""Reading CSV uploads: the encoding the person chose, the delimiter the header uses, and rows
tagged with their line number, so every problem can name the line it is on."""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

# The encodings an upload may be read in: the codec, and the name a person knows it by.
ENCODINGS = {
    "utf-8": "UTF-8",
    "latin-1": "Latin-1 (ISO-8859-1)",
    "cp1252": "Windows-1252",
}
ENCODING_CHOICES = list(ENCODINGS.items())

# surrogateescape turns each byte the codec cannot read into one of these.
_UNREADABLE = re.compile("[\udc80-\udcff]")


class FileEncodingError(ValueError):
    """A line that is not text in the chosen encoding: the message says which line, and what to do."""

    def __init__(self, line: int, encoding: str):
        self.line = line
        self.encoding = encoding
        others = " / ".join(label.split(" (")[0] for code, label in ENCODINGS.items() if code != encoding)
        named = ENCODINGS.get(encoding, encoding).split(" (")[0]
        advice = "save the file as UTF-8 or choose " if encoding == "utf-8" else "choose "
        super().__init__(f"line {line} is not {named}; {advice}{others}")


def decoded_lines(binary: Iterable[bytes] | io.IOBase, encoding: str = "utf-8") -> Iterator[str]:
    """The file's lines as text; a byte the encoding cannot read stops it with that line's number.

    Reading goes through ``surrogateescape`` so a bad byte anywhere (not only in the first
    few kilobytes) is found on its own line, instead of failing a whole buffer without one.
    """
    codec = "utf-8-sig" if encoding == "utf-8" else encoding
    text = io.TextIOWrapper(binary, encoding=codec, errors="surrogateescape", newline="")
    try:
        for number, line in enumerate(text, start=1):
            if not line.isascii() and _UNREADABLE.search(line):
                raise FileEncodingError(number, encoding)
            yield line
    finally:
        text.detach()  # the caller's file stays open: closing it is the caller's business


def until_unreadable(rows: Iterable, errors: list[FileEncodingError]) -> Iterator:
    """The rows up to a line the encoding cannot read; that line's error is appended to ``errors``."""
    try:
        yield from rows
    except FileEncodingError as error:
        errors.append(error)


def read_rows(source: Path | str | io.IOBase, *, encoding: str = "utf-8") -> Iterator[dict[str, str]]:
    """Yields a CSV file's rows as dicts (tagged with their line number), BOM and dialect aware.

    A row with fewer cells than the header has ``None`` for the missing ones and a row with
    more keeps the extras under ``None`` (as ``csv.DictReader`` does), so the import can say
    how many columns the line really has.
    """
    if isinstance(source, str | Path):
        with open(source, "rb") as handle:
            yield from _read_lines(decoded_lines(handle, encoding))
    elif isinstance(source, io.TextIOBase):
        yield from _read_lines(source)
    else:
        yield from _read_lines(decoded_lines(source, encoding))


def _read_lines(lines: Iterable[str]) -> Iterator[dict[str, str]]:
    lines = iter(lines)
    header = next(lines, "")
    # European exports use semicolons, some tools tabs: the header row says which.
    delimiter = max([",", ";", "\t"], key=header.count)
    reader = csv.DictReader(_chain(header, lines), delimiter=delimiter)
    if reader.fieldnames:
        reader.fieldnames = [name.lstrip("\ufeff").strip() for name in reader.fieldnames]
    for row in reader:
        if not any((value or "").strip() for key, value in row.items() if key is not None):
            continue  # blank lines are not deals
        row["__line__"] = reader.line_num
        yield row


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def column_count_problem(row: dict) -> str:
    """ "the row has 4 columns, expected 14" for a row cut short or too long, else ""."""
    if None not in row and None not in row.values():
        return ""
    extra = row.get(None)
    missing = sum(1 for key, value in row.items() if key not in (None, "__line__") and value is None)
    if not extra and not missing:
        return ""
    expected = sum(1 for key in row if key not in (None, "__line__"))
    found = expected - missing + len(extra or [])
    return f"line {row.get('__line__', '?')} has {found} column{'s' if found != 1 else ''}, expected {expected}"


def count_rows(path: Path | str) -> int:
    """Lines minus the header: the progress bar's total (quoted newlines may overcount)."""
    with open(path, "rb") as handle:
        return max(sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")) - 1, 0)
