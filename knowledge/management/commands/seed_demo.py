"""Loads realistic demo data; safe to run again (nothing is duplicated).

Each app adds its part in a ``demo`` module with ``seed(context)``; they run in
INSTALLED_APPS order, which is the dependency order (knowledge, coaching, leaderboard).
"""

import importlib
import time

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from config import outbound
from knowledge.demo import SIZES, SeedContext


class Command(BaseCommand):
    help = "Creates demo users, accounts, tips, videos, deals and activity (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--size",
            choices=sorted(SIZES),
            default="small",
            help="small: the demo site; large: the data set benchmarks use.",
        )
        parser.add_argument("--seed", type=int, default=7, help="Random seed, for repeatable data.")
        parser.add_argument(
            "--no-index",
            action="store_true",
            help="Do not rebuild the search index and vectors afterwards (run update_index later).",
        )

    def handle(self, *args, size, seed, verbosity, no_index, **options):
        context = SeedContext(size=SIZES[size], seed=seed, stdout=self.stdout, stderr=self.stderr, verbosity=verbosity)
        started = time.monotonic()
        for app_config in apps.get_app_configs():
            if not module_has_submodule(app_config.module, "demo"):
                continue
            module = importlib.import_module(f"{app_config.name}.demo")
            try:
                # Made-up activity reaches the demo people's bells, not their inboxes or chat.
                with transaction.atomic(), outbound.held():
                    module.seed(context)
            except Exception as error:
                raise CommandError(f"Demo data for {app_config.verbose_name} failed: {error}") from error
        if any(context.summary.values()) and not no_index:
            # Content is loaded in bulk, without the signals that index it one save at a time.
            self.stderr.write("Indexing the demo content for search…")
            call_command("update_index", verbosity=verbosity, stdout=self.stderr, stderr=self.stderr)
        self.stdout.write(
            f"Demo data ready in {time.monotonic() - started:.1f}s: "
            + ", ".join(f"{label} {count:,}" for label, count in context.summary.items())
        )
        self.stdout.write("Demo logins: rep, marketing, manager (password: huddle-demo)")
