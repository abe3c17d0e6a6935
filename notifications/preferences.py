"""Who wants which kind of event on which channel: DEFAULTS, overridden by a person's choices."""

from collections.abc import Iterable
from urllib.parse import urlsplit

from .models import DEFAULTS, Channel, Kind, NotificationSettings, Preference


def wanting(user_ids: Iterable[int], kind: str, channel: str) -> set[int]:
    """Those of ``user_ids`` who want ``kind`` on ``channel`` (one query)."""
    ids = set(user_ids)
    if not ids:
        return set()
    default = channel in DEFAULTS[kind]
    overrides = dict(
        Preference.objects.filter(user_id__in=ids, kind=kind, channel=channel).values_list("user_id", "enabled")
    )
    return {pk for pk in ids if overrides.get(pk, default)}


def email_off(user_ids: Iterable[int]) -> set[int]:
    """Those who unsubscribed from every e-mail."""
    return set(
        NotificationSettings.objects.filter(user_id__in=list(user_ids), email_off=True).values_list(
            "user_id", flat=True
        )
    )


def grid_for(user) -> list[dict]:
    """Every kind with its channels switched on or off for ``user``, for the preferences page."""
    overrides = {
        (kind, channel): enabled
        for kind, channel, enabled in Preference.objects.filter(user=user).values_list("kind", "channel", "enabled")
    }
    return _grid(lambda kind, channel: overrides.get((kind, channel), channel in DEFAULTS[kind]))


def grid_from(switched_on: set[str]) -> list[dict]:
    """The grid as a refused form sent it, to show it again unchanged."""
    return _grid(lambda kind, channel: f"{kind}:{channel}" in switched_on)


def _grid(is_on) -> list[dict]:
    return [
        {
            "kind": kind,
            "label": label,
            "channels": [
                {"channel": channel, "label": channel_label, "name": f"{kind}:{channel}", "on": is_on(kind, channel)}
                for channel, channel_label in Channel.choices
            ],
        }
        for kind, label in Kind.choices
    ]


def save_grid(user, switched_on: set[str]) -> None:
    """Stores the grid posted from the preferences page: a row only where it differs from DEFAULTS."""
    Preference.objects.filter(user=user).delete()
    rows = []
    for kind in Kind.values:
        for channel in Channel.values:
            on = f"{kind}:{channel}" in switched_on
            if on != (channel in DEFAULTS[kind]):
                rows.append(Preference(user=user, kind=kind, channel=channel, enabled=on))
    Preference.objects.bulk_create(rows)


def turn_off(user, *, kind: str | None = None) -> None:
    """Unsubscribes ``user`` from e-mail about ``kind``, or from every e-mail (digest included)."""
    if kind is None:
        NotificationSettings.objects.update_or_create(user=user, defaults={"email_off": True})
        return
    for channel in (Channel.EMAIL, Channel.DIGEST):
        Preference.objects.update_or_create(user=user, kind=kind, channel=channel, defaults={"enabled": False})


def settings_for(user) -> NotificationSettings:
    found = NotificationSettings.objects.filter(user=user).first()
    return found or NotificationSettings(user=user)


def chat_problem(switched_on: set[str], service: str, webhook_url: str) -> str:
    """Why the chat part of the preferences page cannot be saved, or "" when it can."""
    from django.core.exceptions import ValidationError

    from chat.models import Service, check_webhook_url

    if service not in Service.values:
        return "Choose Slack or Microsoft Teams for chat."
    if not webhook_url:
        if any(name.endswith(f":{Channel.CHAT}") for name in switched_on):
            return "To get notifications in chat, paste your incoming-webhook address first."
        return ""
    try:
        check_webhook_url(service, webhook_url)
    except ValidationError as error:
        return error.messages[0]
    host = (urlsplit(webhook_url).hostname or "").lower()
    if service == Service.TEAMS and not host.endswith(TEAMS_WEBHOOK_HOSTS):
        # Anyone may set this, so the server is not made to post to addresses inside the network.
        return "A Teams webhook address is on webhook.office.com, logic.azure.com or api.powerplatform.com."
    return ""


# Where Teams incoming webhooks and "webhook request received" workflows live.
TEAMS_WEBHOOK_HOSTS = (".webhook.office.com", ".logic.azure.com", ".api.powerplatform.com")
