"""Each user's permissions from the cache, so a page does not query them on every request.

Every page's navigation asks ``perms`` whether the reader may curate, which made Django's
``ModelBackend`` read the user's own and their groups' permissions: two queries per request.
Here the set comes from the cache in the same round trip as a global version, which any change
to groups, permissions or memberships moves on; a stale set is never used after that change.
"""

import time

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

VERSION_KEY = "auth:perms:version"
SECONDS = 600


def _user_key(pk) -> str:
    return f"auth:perms:user:{pk}"


class CachedPermissionsBackend(ModelBackend):
    """``ModelBackend`` with ``get_all_permissions`` kept in the cache per user."""

    def get_all_permissions(self, user_obj, obj=None):
        if obj is not None or not user_obj.is_active or user_obj.is_anonymous:
            return super().get_all_permissions(user_obj, obj)
        if hasattr(user_obj, "_perm_cache"):
            return user_obj._perm_cache
        user_key = _user_key(user_obj.pk)
        found = cache.get_many([VERSION_KEY, user_key])
        version = found.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, time.time_ns(), timeout=None)
            version = cache.get(VERSION_KEY)
        stored = found.get(user_key)
        if stored is not None and stored[:2] == (version, user_obj.is_superuser):
            user_obj._perm_cache = stored[2]
            return stored[2]
        permissions = super().get_all_permissions(user_obj)
        if version is not None:  # None: the cache is down, nothing to keep
            cache.set(user_key, (version, user_obj.is_superuser, permissions), SECONDS)
        return permissions


def permissions_changed(**kwargs) -> None:
    """Every cached permission set is stale: now, and again once the change is committed (a
    request that read the old rows in between must not keep them)."""
    _new_version()
    transaction.on_commit(_new_version)


def _new_version() -> None:
    cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def connect() -> None:
    User = get_user_model()
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(permissions_changed, sender=through, dispatch_uid=f"perms_m2m_{through.__name__}")
    for model in (Group, Permission):
        post_save.connect(permissions_changed, sender=model, dispatch_uid=f"perms_save_{model.__name__}")
        post_delete.connect(permissions_changed, sender=model, dispatch_uid=f"perms_delete_{model.__name__}")
