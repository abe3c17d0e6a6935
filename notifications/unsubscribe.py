"""Signed one-click unsubscribe links: they work without signing in, and only for the person named."""

from django.core import signing
from django.urls import reverse

SALT = "notifications.unsubscribe"


def token_for(user, kind: str = "") -> str:
    """A token naming ``user`` and a kind of e-mail ("" for every e-mail, "digest" for the digest)."""
    return signing.dumps({"u": user.pk, "k": kind}, salt=SALT, compress=True)


def read_token(token: str) -> tuple[int, str] | None:
    """(user id, kind) from a genuine token; None for anything forged or damaged."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    return data["u"], str(data.get("k", ""))


def unsubscribe_url(user, kind: str = "") -> str:
    from knowledge.links import absolute

    return absolute(reverse("notifications_unsubscribe", args=[token_for(user, kind)]))


def unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 8058: mail clients show an Unsubscribe button that POSTs to ``url`` without a sign-in."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
