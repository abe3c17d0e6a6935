"""Start-up checks: every kind of shared content names a share verb the leaderboard scores."""

from django.apps import apps
from django.core.checks import Error

from knowledge import contracts

from .models import ActivityEvent


def content_verbs_are_known(app_configs=None, **kwargs) -> list[Error]:
    """A kind whose ``ContentKind.verb`` is no share verb would fail at its first share instead."""
    known = sorted(verb for verb in ActivityEvent.Verb.values if verb.startswith("shared_"))
    return [
        Error(
            f"{model._meta.label} declares the activity verb {model.content_kind.verb!r}, "
            "which the leaderboard does not score.",
            hint=f"Use one of {', '.join(known)} in its ContentKind.",
            obj=model,
            id="leaderboard.E001",
        )
        for model in apps.get_models()
        if contracts.declares(model) and model.content_kind.verb not in known
    ]
