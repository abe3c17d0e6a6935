"""The claims the test provider puts in its ID tokens and userinfo, and its test-only faults."""

import base64
import json
import time

from django.conf import settings
from oauth2_provider.oauth2_validators import OAuth2Validator

# Each fault makes the next ID tokens (or claims) wrong in one way that a relying party must refuse.
FAULTS = {"bad-signature", "expired", "wrong-audience", "wrong-nonce", "unverified-email"}


def current_fault() -> str:
    fault = settings.FAULT_FILE.read_text().strip() if settings.FAULT_FILE.exists() else ""
    if fault and fault not in FAULTS:
        raise ValueError(f"unknown fault {fault!r}")
    return fault


class DirectoryClaims(OAuth2Validator):
    """Name, e-mail and groups of the person signing in, as Okta or Keycloak send them."""

    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "groups": "profile"}

    def get_additional_claims(self, request):
        user = request.user
        return {
            "preferred_username": user.username,
            "email": user.email,
            "email_verified": current_fault() != "unverified-email",
            "given_name": user.first_name,
            "family_name": user.last_name,
            "name": user.get_full_name(),
            "groups": sorted(user.groups.values_list("name", flat=True)),
        }

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        fault = current_fault()
        if fault == "expired":
            claims.update(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)
        elif fault == "wrong-audience":
            claims["aud"] = "some-other-application"
        elif fault == "wrong-nonce":
            claims["nonce"] = "not-the-nonce-the-site-sent"
        return claims, expiration_time

    def finalize_id_token(self, id_token, token, token_handler, request):
        signed = super().finalize_id_token(id_token, token, token_handler, request)
        if current_fault() != "bad-signature":
            return signed
        # The payload changed after signing (another person's e-mail): the signature no longer matches.
        header, payload, signature = signed.split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["email"] = "boss@example.com"
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        return f"{header}.{forged}.{signature}"
