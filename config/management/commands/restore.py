"""``manage.py restore DIR``: puts a backup in place of the database and media, then re-indexes.

The database part is one transaction: the tables are emptied and every row loaded with
its original primary key, then the counts are checked against the manifest; any mismatch
rolls everything back. Media replace MEDIA_ROOT only after the database succeeded.
"""

import json
import shutil
import tarfile
import time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.management.sql import emit_post_migrate_signal
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.migrations.loader import MigrationLoader

from .backup import (
    DATABASE_FILE,
    FORMAT_VERSION,
    MANIFEST_FILE,
    MEDIA_FILE,
    model_counts,
    sha256,
)


class Command(BaseCommand):
    help = "Replaces the database and media with a `manage.py backup` folder, then rebuilds search."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="A folder written by `manage.py backup`.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask before replacing the current data.",
        )
        parser.add_argument("--no-media", action="store_true", help="Keep MEDIA_ROOT as it is.")
        parser.add_argument(
            "--no-index",
            action="store_true",
            help="Skip the search index rebuild (run `manage.py update_index` later).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the backup's files and migrations; change nothing.",
        )

    def handle(
        self,
        *args,
        directory,
        database,
        interactive,
        no_media,
        no_index,
        dry_run,
        verbosity,
        **options,
    ):
        started = time.monotonic()
        source = Path(directory)
        manifest = self.read_manifest(source)
        call_command("migrate", database=database, interactive=False, verbosity=0)
        self.check_migrations(manifest, database)
        expected = manifest["counts"]
        if dry_run:
            self.stdout.write(
                f"{source} is a complete backup of {sum(expected.values()):,} rows and "
                f"{manifest['media']['files']:,} media files; nothing was changed."
            )
            return
        if (
            interactive
            and input("This replaces every row and every media file of this site. Type 'yes' to go on: ")
            .strip()
            .lower()
            != "yes"
        ):
            raise CommandError("Restore cancelled.")

        self.restore_database(source, database, expected)
        media = "kept" if no_media else f"{self.restore_media(source / MEDIA_FILE):,} files"
        for cache in caches.all():
            cache.clear()  # cached pages, site roots and sessions all point at the old data
        if not no_index:
            call_command("update_index", verbosity=max(verbosity - 1, 0), stdout=self.stderr)
        self.stdout.write(
            f"Restored {sum(expected.values()):,} rows of {len(expected)} models, media {media}, "
            f"search index {'not rebuilt' if no_index else 'rebuilt'} "
            f"in {time.monotonic() - started:.1f}s."
        )

    def read_manifest(self, source: Path) -> dict:
        try:
            manifest = json.loads((source / MANIFEST_FILE).read_text())
        except FileNotFoundError as error:
            raise CommandError(f"{source} has no {MANIFEST_FILE}: not a folder from `manage.py backup`.") from error
        except json.JSONDecodeError as error:
            raise CommandError(f"{source / MANIFEST_FILE} is not valid JSON: {error}") from error
        if manifest.get("format") != FORMAT_VERSION:
            raise CommandError(f"Backup format {manifest.get('format')} is not {FORMAT_VERSION}.")
        for name, facts in manifest["files"].items():
            path = source / name
            if not path.is_file():
                raise CommandError(f"{path} is missing.")
            if sha256(path) != facts["sha256"]:
                raise CommandError(f"{path} does not match its checksum: the backup is damaged.")
        return manifest

    def check_migrations(self, manifest: dict, database: str) -> None:
        """A backup from newer code has columns this code does not know: refuse it."""
        known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
        unknown = sorted(
            f"{app}.{name}"
            for app, names in manifest["migrations"].items()
            for name in names
            if (app, name) not in known
        )
        if unknown:
            raise CommandError(
                "The backup comes from a newer version of Huddle (unknown migrations: "
                + ", ".join(unknown[:5])
                + "). Upgrade the code first."
            )

    def restore_database(self, source: Path, database: str, expected: dict[str, int]) -> None:
        with transaction.atomic(using=database):
            # No post_migrate after the flush: content types and permissions come from the backup
            # with their ids, so generic relations and permissions stay pointed at the right rows.
            call_command(
                "flush",
                database=database,
                interactive=False,
                inhibit_post_migrate=True,
                verbosity=0,
            )
            ContentType.objects.clear_cache()
            call_command("loaddata", str(source / DATABASE_FILE), database=database, verbosity=0)
            counts = model_counts(database)
            wrong = {
                label: (count, counts.get(label, 0))
                for label, count in expected.items()
                if counts.get(label, 0) != count
            }
            if wrong:
                details = ", ".join(
                    f"{label} {want} in the backup, {got} loaded" for label, (want, got) in sorted(wrong.items())[:5]
                )
                raise CommandError(f"Restore rolled back: row counts differ ({details}).")
            # Content types and permissions for models newer than the backup.
            emit_post_migrate_signal(verbosity=0, interactive=False, db=database)
        # The process's cached content type ids belonged to the old rows: reload them all now,
        # so code that builds model instances later (Wagtail's tasks do) never inserts a stray one.
        ContentType.objects.clear_cache()
        ContentType.objects.db_manager(database).get_for_models(*apps.get_models(), for_concrete_models=False)

    def restore_media(self, archive_path: Path) -> int:
        """Unpacks beside MEDIA_ROOT, then swaps folders: a failure keeps the old media."""
        media_root = Path(settings.MEDIA_ROOT)
        media_root.parent.mkdir(parents=True, exist_ok=True)
        unpacked = media_root.with_name(media_root.name + ".restoring")
        previous = media_root.with_name(media_root.name + ".previous")
        for leftover in (unpacked, previous):
            shutil.rmtree(leftover, ignore_errors=True)
        unpacked.mkdir()
        with tarfile.open(archive_path) as archive:
            members = archive.getmembers()
            archive.extractall(unpacked, filter="data")  # refuses absolute paths and ../
        if media_root.exists():
            media_root.rename(previous)
        unpacked.rename(media_root)
        shutil.rmtree(previous, ignore_errors=True)
        return sum(1 for member in members if member.isfile())
