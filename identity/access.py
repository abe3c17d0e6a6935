"""A person's way in: the sessions they signed in with, ended at once when they are deactivated.

Deactivating someone (SCIM, the Django or Wagtail admin, anything that saves the user with
``is_active`` off) ends every session they signed in with, on whichever session engine is in use,
and revokes their API tokens and private feed key, so a call with one is refused from then on, and stays refused if
they come back (they make new ones). Their tips, videos, microposts and comments stay, with their
name. Reactivating them lets them sign in again.

A ``QuerySet.update(is_active=False)`` sends no signal and ends nothing here; those sessions still
stop at their next request, because the sign-in backends (local, LDAP, SAML) refuse an inactive user.
"""

from importlib import import_module

from django.conf import settings
from django.utils import timezone

from .models import SignedInSession

# The session key this session was last recorded under: a new key (sign-in, password change) is
# recorded again, an unchanged one costs nothing.
RECORDED_KEY = "_identity_recorded_key"


def record_session(session, user) -> None:
    """Remembers that ``user`` is signed in with ``session``, and forgets their expired sessions."""
    if session.session_key is None:
        session.save()
    SignedInSession.objects.update_or_create(
        session_key=session.session_key, defaults={"user": user, "expires_at": session.get_expiry_date()}
    )
    SignedInSession.objects.filter(user=user, expires_at__lt=timezone.now()).delete()
    session[RECORDED_KEY] = session.session_key


def forget_session(session) -> None:
    if session.session_key:
        SignedInSession.objects.filter(session_key=session.session_key).delete()


def end_sessions(user) -> int:
    """Deletes every session ``user`` signed in with; how many there were."""
    engine = import_module(settings.SESSION_ENGINE)
    keys = list(SignedInSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        engine.SessionStore(session_key=key).delete()
    SignedInSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


def end_access(user) -> None:
    """Signs ``user`` out everywhere, revokes their API tokens and replaces their private feed key."""
    from knowledge.models import FeedToken
    from leaderboard.models import ApiToken

    end_sessions(user)
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    for feed_token in FeedToken.objects.filter(user=user):
        feed_token.regenerate()


class SessionRecordMiddleware:
    """Records a signed-in session whose key is not recorded yet (a password change makes a new one).

    Runs after the view, and only on sessions the request already read, so a page pays no query
    for it once the key is recorded. Goes after ``AuthenticationMiddleware``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.accessed or session.session_key is None:
            return response
        if session.get(RECORDED_KEY) != session.session_key and request.user.is_authenticated:
            record_session(session, request.user)
        return response
