"""``manage.py import_deals FILE [--dry-run] [--encoding latin-1]``: a CRM export in, a summary
out."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from knowledge.progress import progress
from leaderboard.columns import HUDDLE_COLUMNS
from leaderboard.csv_reading import ENCODINGS
from leaderboard.importing import count_rows, import_deals, read_rows


class Command(BaseCommand):
    help = "Imports deals from a CRM export (Salesforce, HubSpot or Huddle CSV); re-importing changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="FILE", help="CSV file exported from the CRM.")
        parser.add_argument("--dry-run", action="store_true", help="Validate and count, but write nothing.")
        parser.add_argument(
            "--encoding",
            choices=list(ENCODINGS),
            default="utf-8",
            help="The file's text encoding (default utf-8; Excel on Windows often saves cp1252).",
        )
        parser.add_argument(
            "--map",
            dest="column_map",
            action="append",
            default=[],
            metavar="FIELD=COLUMN",
            help=f"Read a deal field from another column; fields: {', '.join(HUDDLE_COLUMNS)}.",
        )

    def handle(self, *args, path, dry_run, column_map, encoding, verbosity, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        mapping = {}
        for item in column_map:
            field, _, column = item.partition("=")
            if field not in HUDDLE_COLUMNS or not column:
                raise CommandError(f"--map {item!r}: use FIELD=COLUMN, FIELD one of {', '.join(HUDDLE_COLUMNS)}")
            mapping[field] = column
        rows = progress(
            read_rows(file, encoding=encoding),
            "Deals",
            total=count_rows(file),
            stream=self.stderr,
            enabled=verbosity > 0,
        )
        report = import_deals(rows, dry_run=dry_run, mapping=mapping or None)
        if verbosity > 0:
            self.stdout.write(f"Format: {report.format_name}; columns: {json.dumps(report.columns)}")
            for error in report.errors:
                self.stdout.write(f"Line {error.line} ({error.crm_id or 'no CRM id'}): {error.reason}")
            if report.failed > len(report.errors):
                self.stdout.write(f"… and {report.failed - len(report.errors):,} more failed rows.")
            for currency, count in sorted(report.unconverted.items()):
                self.stdout.write(
                    f"No exchange rate for the close date yet: {count} deal(s) in {currency}; "
                    "add rates under Leaderboard > Exchange rates in the admin."
                )
            if report.unmapped_owners:
                self.stdout.write(
                    f"{len(report.unmapped_owners)} owner name(s) match no rep; map them on /leaderboard/owners/."
                )
        self.stdout.write(("Dry run, nothing written. " if dry_run else "") + report.summary())
        if report.stopped:
            raise CommandError(f"{file}: {report.stopped} (use --encoding).")
