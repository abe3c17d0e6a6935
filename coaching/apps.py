from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "coaching"
    verbose_name = "Coaching"

    def ready(self):
        from knowledge import contracts
        from knowledge.reactions import pages_visible_to

        from . import receivers  # noqa: F401 - signal handlers
        from .listing import video_source
        from .models import CoachingVideoPage
        from .search_kinds import register_moments, video_kind

        # Live videos take comments and helpful marks, fill the streams, are searched and embedded
        # (with their transcripts: CoachingVideoPage.embedded_chunks), like tips and microposts.
        contracts.register(
            CoachingVideoPage,
            visible_to=lambda user: pages_visible_to(CoachingVideoPage.objects.all(), user),
            stream=video_source,
            search=video_kind(),
        )
        register_moments()
