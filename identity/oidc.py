"""Signing in through OpenID Connect providers (django-allauth's ``openid_connect`` provider).

Providers come from ``OIDC_PROVIDERS`` (identity/configuration.py). Only the provider's two routes
are mounted, under /accounts/oidc/<id>/; allauth's own account pages (its login, sign-up and
password pages) are not, so Huddle's sign-in page stays the only one and nobody signs up locally.
Three checks are added to allauth's: a nonce sent with each sign-in and compared with the ID
token's, the ID token's signature verified even when it came straight from the token endpoint,
and people matched to existing accounts by e-mail. The provider's groups claim goes through
``apply_directory_groups`` at every sign-in, as LDAP's and SAML's groups do.
"""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base.constants import AuthError
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils.crypto import constant_time_compare, get_random_string
from requests import RequestException

from .groups import apply_directory_groups

logger = logging.getLogger(__name__)


class SignatureCheckingAdapter(OpenIDConnectOAuth2Adapter):
    """allauth's adapter, verifying the ID token's signature on every sign-in.

    allauth skips that check for a token fetched from the token endpoint, which the
    specification allows over TLS; Huddle checks it anyway, whatever the transport.
    """

    def _decode_id_token(self, app, id_token):
        self.did_fetch_access_token = False  # allauth verifies the signature only when this is False
        return super()._decode_id_token(app, id_token)


class CompanyOpenIDProvider(OpenIDConnectProvider):
    """allauth's OpenID Connect provider with a fresh nonce in each authorization request."""

    oauth2_adapter_class = SignatureCheckingAdapter

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        nonce = get_random_string(32)
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        # The nonce goes to the provider and into this sign-in's state, kept in the session.
        try:
            return super().redirect(
                request, process, next_url, data, auth_params={**auth_params, "nonce": nonce}, nonce=nonce, **kwargs
            )
        except RequestException as error:  # its discovery document did not come
            logger.warning("OpenID Connect provider %s did not answer: %s", self.app.provider_id, error)
            return unavailable(request, self.name)


class NoLocalSignUp(DefaultAccountAdapter):
    """Nobody signs up with a password through allauth; people come from the company's provider."""

    def is_open_for_signup(self, request):
        return False

    def login(self, request, user):
        # The backend that loads the user on later requests (allauth would pick the first with get_user).
        user.backend = "config.permissions.CachedPermissionsBackend"
        super().login(request, user)

    def add_message(self, *args, **kwargs):
        pass  # no "Successfully signed in" banner: the password sign-in shows none either


class CompanyDirectorySignIn(DefaultSocialAccountAdapter):
    """Matches people by e-mail, refuses what Huddle must not accept, and says why on Huddle's page."""

    def is_open_for_signup(self, request, sociallogin):
        return True

    def is_auto_signup_allowed(self, request, sociallogin):
        return True

    def pre_social_login(self, request, sociallogin):
        id_token = sociallogin.account.extra_data.get("id_token") or {}
        sent = sociallogin.state.get("nonce") or ""
        if not sent or not constant_time_compare(sent, str(id_token.get("nonce", ""))):
            raise ImmediateHttpResponse(refused(request, "the ID token's nonce does not match this sign-in"))
        if not sociallogin.is_existing:
            email = (sociallogin.user.email or "").strip()
            if not email:
                raise ImmediateHttpResponse(refused(request, "the provider sent no e-mail address for this person"))
            matches = list(get_user_model().objects.filter(email__iexact=email)[:2])
            if len(matches) > 1:
                raise ImmediateHttpResponse(refused(request, f"more than one Huddle account has the address {email}"))
            if matches:
                if not email_verified(sociallogin):
                    raise ImmediateHttpResponse(refused(request, f"the provider has not verified the address {email}"))
                if not matches[0].is_active:
                    raise ImmediateHttpResponse(refused(request, "this account is switched off in Huddle"))
                sociallogin.connect(request, matches[0])
        elif not sociallogin.user.is_active:
            raise ImmediateHttpResponse(refused(request, "this account is switched off in Huddle"))

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        if error == AuthError.CANCELLED:
            reason = "the sign-in was cancelled at the provider"
        elif exception is not None:
            reason = str(exception.__cause__ or exception)  # PyJWT's reason: expired, audience, signature
        else:
            reason = "the answer did not belong to a sign-in started in this browser"  # unknown or reused state
        logger.warning("OpenID Connect sign-in through %s refused: %s", provider.app.provider_id, reason)
        raise ImmediateHttpResponse(refused(request, reason))


def email_verified(sociallogin) -> bool:
    """False only when the provider says so (``email_verified``): Entra ID, for one, does not send the claim."""
    data = sociallogin.account.extra_data
    for source in (data.get("userinfo") or {}, data.get("id_token") or {}):
        if "email_verified" in source:
            return str(source["email_verified"]).lower() == "true"
    return True


def unavailable(request, provider_name: str):
    """The page for a provider that does not answer: try again later, or another way in."""
    return render(request, "identity/sign_in_unavailable.html", {"provider_name": provider_name}, status=502)


def refused(request, reason: str):
    """The page for a refused sign-in: nobody is signed in, and IT gets a reason to look up."""
    return render(request, "identity/sign_in_refused.html", {"reason": reason}, status=403)


def groups_claimed(sociallogin) -> list[str]:
    """The provider's groups claim (userinfo first, then the ID token); a single group may come as a string."""
    claim = sociallogin.account.get_provider().app.settings.get("groups_claim") or settings.OIDC_GROUPS_CLAIM
    data = sociallogin.account.extra_data
    for source in (data.get("userinfo") or {}, data.get("id_token") or {}):
        if claim in source:
            value = source[claim]
            return [value] if isinstance(value, str) else list(value or [])
    return []


def apply_claimed_groups(sender, request, user, sociallogin=None, **kwargs):
    """allauth's ``user_logged_in``: maps the groups claim at every OpenID Connect sign-in."""
    if sociallogin is not None and isinstance(sociallogin.account.get_provider(), OpenIDConnectProvider):
        apply_directory_groups(user, groups_claimed(sociallogin))


def configured_providers() -> list[dict]:
    """The providers from the settings, for the sign-in buttons: ``[{"id", "name"}]``."""
    apps = getattr(settings, "SOCIALACCOUNT_PROVIDERS", {}).get("openid_connect", {}).get("APPS", [])
    return [{"id": app["provider_id"], "name": app["name"]} for app in apps]


def _provider_view(view_class):
    """allauth's view for the provider named in the URL, with Huddle's adapter; 404 for an unknown one."""

    @login_not_required
    def view(request, provider_id):
        try:
            return view_class.adapter_view(SignatureCheckingAdapter(request, provider_id))(request)
        except SocialApp.DoesNotExist:
            raise Http404("No such sign-in provider here") from None

    return view


# allauth reverses these names (the button's target, the redirect URI registered at the provider).
urlpatterns = [
    path("<slug:provider_id>/login/", _provider_view(OAuth2LoginView), name="openid_connect_login"),
    path("<slug:provider_id>/login/callback/", _provider_view(OAuth2CallbackView), name="openid_connect_callback"),
]
