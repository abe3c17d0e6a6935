"""Slack's side of incoming requests: is it really Slack (signature, timestamp, not a replay), and who is it?"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web import WebClient

logger = logging.getLogger(__name__)

# Slack refuses to sign with a clock more than five minutes off; so does SignatureVerifier, and a
# signature seen within that window is a replay.
REPLAY_WINDOW_SECONDS = 5 * 60 + 30
EMAIL_CACHE_SECONDS = 60 * 60


def enabled() -> bool:
    return bool(settings.SLACK_SIGNING_SECRET)


def verified(body: bytes, headers) -> str | None:
    """Why the request is refused, or None for a request Slack signed in the last five minutes, once."""
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not timestamp or not signature:
        return "The request is not signed by Slack."
    if not timestamp.isdigit():
        return "The request's timestamp is not a number."
    verifier = SignatureVerifier(settings.SLACK_SIGNING_SECRET)
    if not verifier.is_valid(body=body, timestamp=timestamp, signature=signature):
        return "The request's signature does not match or its timestamp is more than five minutes off."
    # The signature covers the timestamp and the body: the same one twice is a replay.
    if not cache.add(f"slack-signature:{signature}", True, REPLAY_WINDOW_SECONDS):
        return "This request was already received."
    return None


def email_of(slack_user_id: str) -> str | None:
    """The e-mail of a Slack user: the configured mapping first, else users.info with the bot token."""
    mapped = settings.SLACK_USER_EMAILS.get(slack_user_id)
    if mapped:
        return mapped
    if not settings.SLACK_BOT_TOKEN:
        return None
    key = f"slack-user-email:{slack_user_id}"
    email = cache.get(key)
    if email is not None:
        return email or None
    client = WebClient(token=settings.SLACK_BOT_TOKEN, base_url=settings.SLACK_API_URL, timeout=5)
    try:
        response = client.users_info(user=slack_user_id)
    except SlackApiError as error:
        logger.warning("users.info for %s refused: %s", slack_user_id, error.response.get("error"))
        return None
    except OSError as error:  # Slack unreachable: ask again next time
        logger.warning("users.info for %s failed: %s", slack_user_id, error)
        return None
    email = (response.get("user") or {}).get("profile", {}).get("email") or ""
    cache.set(key, email, EMAIL_CACHE_SECONDS)
    return email or None


def huddle_user(slack_user_id: str):
    """The active Huddle user whose e-mail is the Slack user's, or None."""
    email = email_of(slack_user_id)
    if not email:
        return None
    return get_user_model().objects.filter(email__iexact=email, is_active=True).order_by("pk").first()
