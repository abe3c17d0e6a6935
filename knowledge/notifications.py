"""E-mails to people about activity on their content; sent in the background when a worker runs."""

from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django_tasks import task

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


@task()
def send_notification(recipient_ids: list[int], subject: str, body: str) -> int:
    """Sends one e-mail to each recipient that has an address; returns how many went out."""
    users = get_user_model().objects.filter(pk__in=recipient_ids, is_active=True).exclude(email="")
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]) for user in users]
    return send_mass_mail(messages, fail_silently=False) if messages else 0


def notify(recipients, subject: str, body: str) -> None:
    """Queues ``send_notification`` for the given users (duplicates and None dropped)."""
    ids = sorted({user.pk for user in recipients if user is not None})
    if ids:
        send_notification.enqueue(ids, subject, body)
