from django.apps import AppConfig


class SiteSearchConfig(AppConfig):
    name = "knowledge.sitesearch"
    label = "sitesearch"
    verbose_name = "Site search"

    def ready(self):
        from . import searchlog  # noqa: F401  (its write buffer, which a task worker flushes)
