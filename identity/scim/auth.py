"""The bearer token a provider sends with every SCIM call: ``SCIM_TOKEN``, or one made in the admin.

Without either, the endpoints answer 404 (provisioning is off); with one, a call without a
valid token answers 401 and changes nothing. ``SCIM_TOKEN`` is compared in constant time; tokens
made in the admin are stored only as a hash and found by it (``HashedKey.for_key``).
"""

import hmac
import json

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django_scim.constants import SCIM_CONTENT_TYPE, SchemaURI

from identity.models import ScimToken


def provisioning_is_on() -> bool:
    return bool(settings.SCIM_TOKEN) or ScimToken.objects.active().exists()


def token_is_valid(key: str) -> bool:
    if not key:
        return False
    if settings.SCIM_TOKEN and hmac.compare_digest(key.encode(), settings.SCIM_TOKEN.encode()):
        return True
    token = ScimToken.for_key(key)
    if token is None:
        return False
    ScimToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return True


def error(status: int, detail: str) -> HttpResponse:
    body = {"schemas": [SchemaURI.ERROR], "detail": detail, "status": str(status)}
    return HttpResponse(json.dumps(body), content_type=SCIM_CONTENT_TYPE, status=status)


class ScimTokenCheck:
    """django-scim2's AUTH_CHECK_MIDDLEWARE: wraps each SCIM view's ``dispatch``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request, *args, **kwargs):
        if not provisioning_is_on():
            return error(404, "SCIM provisioning is not set up here: set SCIM_TOKEN or make a SCIM token in the admin.")
        scheme, _, key = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token_is_valid(key.strip()):
            response = error(401, "A valid SCIM token is needed: send it as 'Authorization: Bearer <token>'.")
            response["WWW-Authenticate"] = 'Bearer realm="Huddle SCIM"'
            return response
        return self.get_response(request, *args, **kwargs)
