from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "coaching"
    verbose_name = "Coaching"

    def ready(self):
        from . import listing, receivers  # noqa: F401 - signal handlers; videos join knowledge's streams
        from .search_kinds import register

        register()
