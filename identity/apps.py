from django.apps import AppConfig


class IdentityConfig(AppConfig):
    """Who people are in the company directory: LDAP, SAML and OpenID Connect sign-in; groups as roles
    and teams; SCIM provisioning, and what deactivating someone ends."""

    name = "identity"
    verbose_name = "Company directory"

    def ready(self):
        from allauth.account.signals import user_logged_in

        from . import oidc
        from .signal_handlers import register_signal_handlers

        user_logged_in.connect(oidc.apply_claimed_groups, dispatch_uid="identity.oidc.apply_claimed_groups")
        register_signal_handlers()
