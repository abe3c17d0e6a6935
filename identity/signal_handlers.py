"""Listeners on users and their sign-ins; ``register_signal_handlers`` runs from ``IdentityConfig.ready``."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save

from . import access


def user_saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    """A user saved with ``is_active`` off loses their sessions and API tokens at once."""
    if raw or created or instance.is_active:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return  # e.g. the last_login stamp: nothing about access changed
    access.end_access(instance)


def signed_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        access.record_session(request.session, user)


def signed_out(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        access.forget_session(request.session)


def register_signal_handlers() -> None:
    post_save.connect(user_saved, sender=get_user_model(), dispatch_uid="identity_user_saved")
    user_logged_in.connect(signed_in, dispatch_uid="identity_signed_in")
    user_logged_out.connect(signed_out, dispatch_uid="identity_signed_out")
