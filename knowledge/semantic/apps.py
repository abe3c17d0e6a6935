from django.apps import AppConfig


class SemanticConfig(AppConfig):
    name = "knowledge.semantic"
    label = "semantic"
    verbose_name = "Search by meaning"
