"""The key of a person's private feeds."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


def _new_feed_key() -> str:
    return secrets.token_urlsafe(24)


class FeedToken(models.Model):
    """The key in a person's private feed URLs; a feed reader has no session, so it reads with
    this. Regenerating replaces the key, which revokes every URL that carried the old one."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_token")
    key = models.CharField(max_length=64, unique=True, default=_new_feed_key, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self):
        return f"Feed key of {self.user}"

    def regenerate(self) -> None:
        self.key = _new_feed_key()
        self.created_at = timezone.now()
        self.save(update_fields=["key", "created_at"])
