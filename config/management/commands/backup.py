"""``manage.py backup DIR``: the database, the media files and what the search index needs.

DIR gets three files: ``database.jsonl.gz`` (every row, primary keys and content type ids
as they are, so the page tree, tags, comments and generic relations load back unchanged
on SQLite or PostgreSQL), ``media.tar`` (MEDIA_ROOT) and ``manifest.json`` (row counts,
applied migrations, checksums and the search settings). ``manage.py restore DIR`` reads them.
"""

import hashlib
import json
import tarfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import django
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.jsonl import Deserializer as JsonlDeserializer
from django.core.serializers.jsonl import Serializer as JsonlSerializer
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder

from knowledge.progress import progress

FORMAT_VERSION = 1
DATABASE_FILE = "database.jsonl.gz"
MEDIA_FILE = "media.tar"
MANIFEST_FILE = "manifest.json"
# Rebuilt or short-lived, so left out: sign-ins (users sign in again), finished and queued
# background jobs, search index rows (restore rebuilds the index), open editing sessions.
EXCLUDED = ("sessions", "django_tasks_database", "wagtailsearch", "wagtailadmin.EditingSession")
SERIALIZER_FORMAT = "huddle_jsonl"


class ExactJSONEncoder(DjangoJSONEncoder):
    """Keeps microseconds, which Django's encoder cuts to milliseconds (order of the feed)."""

    def default(self, o):
        if isinstance(o, datetime):
            return o.isoformat()
        return super().default(o)


class Serializer(JsonlSerializer):
    """JSON Lines with exact timestamps; ``loaddata`` reads it back as plain ``jsonl``."""

    def _init_options(self):
        super()._init_options()
        self.json_kwargs["cls"] = ExactJSONEncoder


Deserializer = JsonlDeserializer


def backed_up_models() -> list[type]:
    """Every model whose rows go into a backup; content types first: everything refers to them."""
    excluded_apps = {label for label in EXCLUDED if "." not in label}
    excluded_models = {label.lower() for label in EXCLUDED if "." in label}
    chosen = [
        model
        for model in apps.get_models()
        if model._meta.app_label not in excluded_apps
        and model._meta.label_lower not in excluded_models
        and model._meta.managed
        and not model._meta.proxy
    ]
    # Loaded first, their ids are taken before any save handler asks for a content type.
    return sorted(chosen, key=lambda model: model._meta.app_label not in {"contenttypes", "auth"})


def model_counts(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    return {model._meta.label_lower: model._base_manager.using(using).count() for model in backed_up_models()}


def applied_migrations(using: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    recorder = MigrationRecorder(connections[using])
    applied: dict[str, list[str]] = {}
    for app_label, name in sorted(recorder.applied_migrations()):
        applied.setdefault(app_label, []).append(name)
    return applied


def search_settings() -> dict[str, Any]:
    """Where and how the index is rebuilt (no URLs: they may hold passwords)."""
    backends = {
        name: {key: value for key, value in conf.items() if key in {"BACKEND", "PATH", "INDEX"}}
        for name, conf in settings.WAGTAILSEARCH_BACKENDS.items()
    }
    return {
        "SEARCH_BACKEND": getattr(settings, "SEARCH_BACKEND", ""),
        "WAGTAILSEARCH_BACKENDS": backends,
        "SEMANTIC_SEARCH": getattr(settings, "SEMANTIC_SEARCH", False),
        "rebuild_command": "update_index",
    }


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def media_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.is_dir() else []


class Command(BaseCommand):
    help = "Backs up the database, the media files and the search settings into a new folder."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="Folder to create (must not exist, or be empty).")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument("--no-media", action="store_true", help="Leave MEDIA_ROOT out.")
        parser.add_argument("--dry-run", action="store_true", help="Count what would be backed up; write nothing.")

    def handle(self, *args, directory, database, no_media, dry_run, verbosity, **options):
        started = time.monotonic()
        target = Path(directory)
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise CommandError(f"{target} already exists and is not an empty folder; pick a new one.")
        media_root = Path(settings.MEDIA_ROOT)
        files = [] if no_media else media_files(media_root)

        if dry_run:
            counts = model_counts(database)
            self.stdout.write(
                f"Would back up {sum(counts.values()):,} rows of {len(counts)} models and "
                f"{len(files):,} media files ({sum(f.stat().st_size for f in files):,} bytes) "
                f"to {target}."
            )
            return

        target.mkdir(parents=True, exist_ok=True)
        serializers.register_serializer(SERIALIZER_FORMAT, __name__)
        with transaction.atomic(using=database):
            connection = connections[database]
            if connection.vendor == "postgresql":
                # One snapshot for the counts and every table, even while the site takes writes.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            counts = model_counts(database)
            migrations = applied_migrations(database)
            call_command(
                "dumpdata",
                *[model._meta.label for model in backed_up_models()],
                format=SERIALIZER_FORMAT,
                output=str(target / DATABASE_FILE),
                use_base_manager=True,
                database=database,
                verbosity=0,
            )

        with tarfile.open(target / MEDIA_FILE, "w") as archive:
            # Videos are compressed already; a plain tar costs no CPU.
            for path in progress(files, "Media files", stream=self.stderr, enabled=verbosity > 0):
                archive.add(path, arcname=str(path.relative_to(media_root)), recursive=False)

        manifest = {
            "format": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(),
            "django": django.get_version(),
            "database_vendor": connections[database].vendor,
            "counts": counts,
            "migrations": migrations,
            "media": {"files": len(files), "bytes": sum(path.stat().st_size for path in files)},
            "search": search_settings(),
            "files": {
                name: {"sha256": sha256(target / name), "bytes": (target / name).stat().st_size}
                for name in (DATABASE_FILE, MEDIA_FILE)
            },
        }
        (target / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        self.stdout.write(
            f"Backed up {sum(counts.values()):,} rows of {len(counts)} models and {len(files):,} "
            f"media files to {target} in {time.monotonic() - started:.1f}s."
        )
