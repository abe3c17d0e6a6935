"""Signing in through a SAML 2.0 identity provider (djangosaml2 on pysaml2, with Debian's xmlsec1).

djangosaml2's views answer at /saml2/ once ``SAML_IDP_METADATA`` is set (404 before); they answer
before sign-in, so each is marked ``login_not_required``. A refused assertion
(bad signature, wrong audience, expired) gets Huddle's own page that says what to do.
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from djangosaml2 import views
from djangosaml2.backends import Saml2Backend

from .groups import apply_directory_groups


class SamlBackend(Saml2Backend):
    """djangosaml2's backend that maps the groups the provider asserts at every sign-in."""

    def authenticate(self, request, session_info=None, attribute_mapping=None, **kwargs):
        user = super().authenticate(request, session_info, attribute_mapping, **kwargs)
        if user is not None:
            apply_directory_groups(user, session_info["ava"].get(settings.SAML_GROUPS_ATTRIBUTE, []))
        return user

    # Permissions come from the person's Huddle roles, which the next backend knows.
    def get_all_permissions(self, user, obj=None):
        return set()


def refused(request, exception=None, status=403, **kwargs):
    """The page for an assertion djangosaml2 refused: nobody is signed in."""
    reason = exception or "the SAML assertion was refused"
    return render(request, "identity/sign_in_refused.html", {"reason": reason, "retry": "saml2_login"}, status=status)


def _when_configured(view):
    @login_not_required
    @wraps(view)
    def answer(request, *args, **kwargs):
        if not getattr(settings, "SAML_CONFIG", None):
            raise Http404("SAML sign-in is not set up here")
        return view(request, *args, **kwargs)

    return answer


urlpatterns = [
    path("login/", _when_configured(views.LoginView.as_view()), name="saml2_login"),
    path("acs/", _when_configured(views.AssertionConsumerServiceView.as_view()), name="saml2_acs"),
    path("ls/", _when_configured(views.LogoutView.as_view()), name="saml2_ls"),
    path("ls/post/", _when_configured(views.LogoutView.as_view()), name="saml2_ls_post"),
    path("metadata/", _when_configured(views.MetadataView.as_view()), name="saml2_metadata"),
]
