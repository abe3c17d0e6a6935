from django.apps import AppConfig


class BattlecardsConfig(AppConfig):
    name = "tests.battlecards"
    label = "battlecards"
    verbose_name = "Battlecards"

    def ready(self):
        from knowledge import contracts

        from .models import Battlecard

        contracts.register(Battlecard, visible_to=lambda user: Battlecard.objects.all())
