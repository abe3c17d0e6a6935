from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = "Slack and Teams"

    def ready(self):
        from . import signal_handlers

        signal_handlers.connect()
