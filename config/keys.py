"""Secret keys kept only as a hash: readable once, when made; revoked rather than deleted.

The JSON API's tokens (leaderboard) and the SCIM tokens (identity) are both kinds of it.
"""

import hashlib
import secrets
from typing import ClassVar

from django.contrib import admin, messages
from django.db import models
from django.utils import timezone


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class HashedKey(models.Model):
    """A key whose hash is stored; its first characters stay readable to tell keys apart."""

    prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    # Related rows the caller of ``for_key`` reads next, fetched in the same query.
    for_key_related: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def for_key(cls, key: str):
        """The active key that hashes like ``key``, or None.

        Found by its hash through the unique index: what is compared is a SHA-256 of the caller's
        input, so the lookup's timing tells nothing about a stored key.
        """
        return cls.objects.active().select_related(*cls.for_key_related).filter(key_hash=hash_key(key)).first()

    def issue_key(self) -> str:
        """Sets a fresh random key and returns it: the only moment it is readable."""
        key = secrets.token_urlsafe(32)
        self.prefix = key[:8]
        self.key_hash = hash_key(key)
        return key


class HashedKeyAdmin(admin.ModelAdmin):
    """Shows a new key once, in the message after saving, and revokes keys from the list."""

    shown_once = "The key for “{name}” is {key} — copy it now: it is not stored and will not be shown again."
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        if not change:
            messages.warning(request, self.shown_once.format(name=obj.name, key=obj.issue_key()))
        super().save_model(request, obj, form, change)

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"Revoked {count} token(s).")
