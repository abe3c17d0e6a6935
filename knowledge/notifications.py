"""E-mails to people about activity on their content; sent in the background when a worker runs."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django_tasks import task


def absolute(url: str) -> str:
    """Links in e-mails need the site's host (SITE_DOMAIN)."""
    scheme = "https" if getattr(settings, "SECURE_SSL_REDIRECT", False) else "http"
    return f"{scheme}://{settings.SITE_DOMAIN}{url}"


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
