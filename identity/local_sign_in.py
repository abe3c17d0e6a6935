"""Turning password sign-in off once the company's provider works (``LOCAL_SIGN_IN=off``).

The switch is an authentication backend placed just before Django's own: it refuses a username and
password for everyone but the break-glass accounts (``BREAK_GLASS_USERS``), on the site's sign-in
page and the admin's alike. The directory's own passwords (LDAP, whose backend comes earlier) still
work, and the refusal counts as a failed sign-in for the throttle. It stays in the list when local
sign-in is on, so turning it off signs nobody out.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied


def password_sign_in_allowed(username: str | None) -> bool:
    if settings.LOCAL_SIGN_IN:
        return True
    return (username or "").strip().lower() in {name.lower() for name in settings.BREAK_GLASS_USERS}


class PasswordSignInSwitch:
    """Refuses a local password unless local sign-in is on or the account is a break-glass one."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if password is not None and not password_sign_in_allowed(username):
            raise PermissionDenied("Password sign-in is turned off here")  # Django stops at this backend
        return None
