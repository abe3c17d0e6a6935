"""Each user's permissions from the cache, so a page does not query them on every request.

Every page's navigation asks ``perms`` whether the reader may curate, which made Django's
``ModelBackend`` read the user's own and their groups' permissions: two queries per request.
Here the set comes from the cache in the same round trip as a global version, which any change
to groups, permissions or memberships moves on; a stale set is never used after that change.
That holds for every process only when the cache is shared (Redis); with the in-process cache
the set lasts a few seconds, and production refuses several workers without a shared cache.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed, post_delete, post_save

from .cache import cache_is_shared, cached_under_version, new_version

VERSION_KEY = "auth:perms:version"
SECONDS = 600
# In-process cache: a change made in another process never moves this process's version, so
# what this one keeps must expire quickly.
IN_PROCESS_SECONDS = 5


class CachedPermissionsBackend(ModelBackend):
    """``ModelBackend`` with ``get_all_permissions`` kept in the cache per user."""

    def get_all_permissions(self, user_obj, obj=None):
        if obj is not None or not user_obj.is_active or user_obj.is_anonymous:
            return super().get_all_permissions(user_obj, obj)
        if hasattr(user_obj, "_perm_cache"):
            return user_obj._perm_cache
        read = super().get_all_permissions
        key = f"auth:perms:user:{user_obj.pk}:{int(user_obj.is_superuser)}"  # a new superuser reads anew
        seconds = SECONDS if cache_is_shared() else IN_PROCESS_SECONDS
        user_obj._perm_cache = cached_under_version(VERSION_KEY, key, lambda: read(user_obj), seconds)
        return user_obj._perm_cache


def permissions_changed(**kwargs) -> None:
    """Every cached permission set is stale."""
    new_version(VERSION_KEY)


def connect() -> None:
    User = get_user_model()
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(permissions_changed, sender=through, dispatch_uid=f"perms_m2m_{through.__name__}")
    for model in (Group, Permission):
        post_save.connect(permissions_changed, sender=model, dispatch_uid=f"perms_save_{model.__name__}")
        post_delete.connect(permissions_changed, sender=model, dispatch_uid=f"perms_delete_{model.__name__}")
