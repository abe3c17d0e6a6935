from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "knowledge"
    verbose_name = "Knowledge"

    def ready(self):
        from config import permissions, sites, spreadsheets

        from . import receivers  # noqa: F401
        from .search.auto_update import take_over_auto_update

        take_over_auto_update()  # before wagtail.search (later in INSTALLED_APPS) registers its own
        permissions.connect()  # AUTHENTICATION_BACKENDS caches each user's permissions
        sites.connect()  # CachedSiteMiddleware keeps each host's site and home page
        spreadsheets.neutralise_wagtail_exports()  # Wagtail's CSV reports write cells as they are
