from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        from knowledge.freshness import hand_reminders_to
        from knowledge.sections import register_section

        from . import receivers
        from .staleness import tell_stale_authors

        receivers.connect()
        # One e-mail per stale tip: the stale-tip notification owns it, send_review_reminders runs it.
        hand_reminders_to(tell_stale_authors)
        for place in ("tag", "account", "profile", "series", "collection"):
            register_section(place, f"notifications/includes/follow_{place}.html")
