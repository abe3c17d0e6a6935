from django.apps import AppConfig
from django.db.models.signals import post_migrate


class LeaderboardConfig(AppConfig):
    name = "leaderboard"
    verbose_name = "Leaderboard"

    def ready(self):
        from django.core import checks

        from knowledge.sections import register_section

        from . import receivers
        from .checks import content_verbs_are_known

        checks.register(content_verbs_are_known)

        receivers.connect_coaching()
        post_migrate.connect(receivers.recount_after_migrate, sender=self, dispatch_uid="leaderboard_recount")
        register_section("tip", "leaderboard/includes/influence_on_tip.html")
        register_section("profile", "leaderboard/includes/influence_on_profile.html")
