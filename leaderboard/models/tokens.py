"""Keys for the JSON API."""

from django.conf import settings
from django.db import models

from config.keys import HashedKey


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(HashedKey):
    """A key for the JSON API; only its hash is stored, so the key is shown once, at creation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="leaderboard_api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'Salesforce webhook'.")

    objects = ApiTokenQuerySet.as_manager()
    for_key_related = ("user",)  # the API acts as the token's user

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"
