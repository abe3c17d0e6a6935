"""Signing in with the company's LDAP or Active Directory password (django-auth-ldap).

Settings come from the environment (``ldap_settings``); the backend is added to
``AUTHENTICATION_BACKENDS`` only when ``LDAP_SERVER_URI`` is set, after the sign-in throttle, so
failed directory sign-ins lock out like local ones, and before the local backend, so a local
break-glass account still signs in when the directory is down.
"""

from django_auth_ldap.backend import LDAPBackend

from .groups import apply_directory_groups


class DirectoryBackend(LDAPBackend):
    """django-auth-ldap's backend that maps the person's directory groups at every sign-in."""

    def authenticate_ldap_user(self, ldap_user, password):
        user = super().authenticate_ldap_user(ldap_user, password)
        if user is None or not user.is_active:
            return None  # a person deactivated in Huddle stays out, whatever the directory says
        apply_directory_groups(user, ldap_user.group_names)
        return user

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None  # a deactivated person's session ends

    # A directory person's permissions are those of their Huddle roles (the next backend knows them).
    def get_all_permissions(self, user, obj=None):
        return set()

    def get_group_permissions(self, user, obj=None):
        return set()
