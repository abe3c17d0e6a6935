"""Production: DEBUG off, secrets and hosts from the environment, hardened cookies."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-only"):
    raise ImproperlyConfigured("Set SECRET_KEY to a random string of at least 50 characters.")
if not os.environ.get("ALLOWED_HOSTS"):
    raise ImproperlyConfigured("Set ALLOWED_HOSTS to the host names Huddle answers on.")
if WEB_CONCURRENCY > 1 and not REDIS_URL:  # noqa: F405
    # Each process would keep its own permissions and posting counts (see config/cache.py).
    raise ImproperlyConfigured(
        f"WEB_CONCURRENCY is {WEB_CONCURRENCY} but REDIS_URL is not set: several processes need a shared "  # noqa: F405
        "cache, or a permission change reaches one of them only. Set REDIS_URL, or WEB_CONCURRENCY=1."
    )

STORAGES = {
    "default": {"BACKEND": "config.storage.MediaStorage"},  # removes half-written files
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
LOGGING["root"]["level"] = os.environ.get("LOG_LEVEL", "INFO")  # noqa: F405
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False
