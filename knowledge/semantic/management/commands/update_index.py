"""``manage.py update_index``: Wagtail's search index rebuild, then the vectors for search by meaning.

knowledge.semantic is listed before wagtail.search in INSTALLED_APPS, so Django
finds this command first; it keeps every option of Wagtail's.
"""

from modelsearch.management.commands.rebuild_modelsearch_index import Command as SearchIndexCommand

from knowledge.semantic import encoder
from knowledge.semantic.indexing import rebuild_vectors


class Command(SearchIndexCommand):
    help = "Rebuilds the search index, then embeds new or changed content for search by meaning."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--skip-vectors",
            action="store_true",
            help="Only rebuild the keyword index, not the vectors for search by meaning.",
        )

    def handle(self, **options):
        super().handle(**options)
        if options["skip_vectors"] or options["schema_only"] or options["backend_name"]:
            return
        if not encoder.is_enabled():
            self.write("Search by meaning is off (SEMANTIC_SEARCH=False): no vectors to rebuild.")
            return
        report = rebuild_vectors(stream=self.stderr, show_progress=options["verbosity"] > 0)
        self.write(
            f"Vectors: {report.objects} objects, {report.embedded} texts embedded, "
            f"{report.unchanged} unchanged, {report.deleted} removed."
        )
