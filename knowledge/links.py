"""Absolute links for what leaves the site (e-mail, chat): to the host the request came to."""

from contextvars import ContextVar

from django.conf import settings

# The scheme and host of the request being served, for links written while serving it.
_request_origin: ContextVar[str | None] = ContextVar("request_origin", default=None)


def absolute(url: str) -> str:
    """An absolute link: to the address the current request came to, else to SITE_DOMAIN.

    An e-mail written while serving a request (a mention, a comment) links to where the
    writer is (``make run PORT=8123``, a proxy's name); a background task has no request and
    uses SITE_DOMAIN.
    """
    origin = _request_origin.get()
    if origin is None:
        scheme = "https" if getattr(settings, "SECURE_SSL_REDIRECT", False) else "http"
        origin = f"{scheme}://{settings.SITE_DOMAIN}"
    return f"{origin}{url}"


class RequestOriginMiddleware:
    """Remembers the request's scheme and host while it is served, for ``absolute``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_origin.set(request.build_absolute_uri("/").rstrip("/"))
        try:
            return self.get_response(request)
        finally:
            _request_origin.reset(token)
