from django.apps import AppConfig


class SiteSearchConfig(AppConfig):
    name = "knowledge.sitesearch"
    label = "sitesearch"
    verbose_name = "Site search"

    def ready(self):
        from .kinds import register

        register()
