from django.apps import AppConfig


class LeaderboardConfig(AppConfig):
    name = "leaderboard"
    verbose_name = "Leaderboard"

    def ready(self):
        from knowledge.sections import register_section

        from . import receivers

        receivers.connect_coaching()
        register_section("tip", "leaderboard/includes/influence_on_tip.html")
        register_section("profile", "leaderboard/includes/influence_on_profile.html")
