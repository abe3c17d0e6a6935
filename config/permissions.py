"""Each user's permissions from the cache, so a page does not query them on every request.

Every page's navigation asks ``perms`` whether the reader may curate, which made Django's
``ModelBackend`` read the user's own and their groups' permissions: two queries per request.
Here the set comes from the cache in the same round trip as a global version, which any change
to groups, permissions or memberships moves on (``knowledge.signal_handlers.permissions_changed``);
a stale set is never used after that change.
That holds for every process only when the cache is shared (Redis); with the in-process cache
the set lasts a few seconds, and production refuses several workers without a shared cache.
"""

from django.contrib.auth.backends import ModelBackend

from . import caching


class CachedPermissionsBackend(ModelBackend):
    """``ModelBackend`` with ``get_all_permissions`` kept in the cache per user."""

    def get_all_permissions(self, user_obj, obj=None):
        if obj is not None or not user_obj.is_active or user_obj.is_anonymous:
            return super().get_all_permissions(user_obj, obj)
        if hasattr(user_obj, "_perm_cache"):
            return user_obj._perm_cache
        read = super().get_all_permissions
        key = f"{user_obj.pk}:{int(user_obj.is_superuser)}"  # a new superuser reads anew
        timeout = caching.access_seconds()
        user_obj._perm_cache = caching.cached(caching.PERMISSIONS, lambda: read(user_obj), key=key, timeout=timeout)
        return user_obj._perm_cache
