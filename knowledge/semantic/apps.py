from django.apps import AppConfig


class SemanticConfig(AppConfig):
    name = "knowledge.semantic"
    label = "semantic"
    verbose_name = "Search by meaning"

    def ready(self):
        from . import receivers  # noqa: F401 - connects the signal handlers
