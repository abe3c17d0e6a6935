from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "coaching"
    verbose_name = "Coaching"

    def ready(self):
        from . import receivers  # noqa: F401 - connects the signal handlers
        from .search_kinds import register

        register()
