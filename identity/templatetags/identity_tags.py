from django import template
from django.conf import settings

from identity.oidc import configured_providers

register = template.Library()


@register.inclusion_tag("identity/sign_in_with.html", takes_context=True)
def sign_in_with_directory(context):
    """The company sign-in buttons on the sign-in page: SAML's, and one per OpenID Connect provider."""
    label = getattr(settings, "SAML_BUTTON_LABEL", "") if getattr(settings, "SAML_CONFIG", None) else ""
    return {
        "saml_button_label": label,
        "oidc_providers": configured_providers(),
        "next": context.get("next", ""),
        "csrf_token": context.get("csrf_token", ""),
        "primary": not settings.LOCAL_SIGN_IN,  # the buttons are the way in when passwords are off
    }


@register.simple_tag
def local_sign_in_on() -> bool:
    """Whether everyone may sign in with a password (LOCAL_SIGN_IN), or only the break-glass accounts."""
    return settings.LOCAL_SIGN_IN
