from django.apps import AppConfig


class SemanticConfig(AppConfig):
    """Search by meaning. Its save and delete listeners are connected per model by
    ``knowledge.contracts.register`` for each kind it embeds (``receivers.connect``)."""

    name = "knowledge.semantic"
    label = "semantic"
    verbose_name = "Search by meaning"
