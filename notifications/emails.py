"""E-mail at once: one message per notification row, sent by the worker, recorded on the row.

A row goes PENDING -> SENDING (claimed in its own committed update, so two workers never take
the same row) -> SENT. A failure puts it back to PENDING until ``MAX_ATTEMPTS``, then FAILED.
A worker killed between claiming and recording leaves it SENDING; ``deliver_due`` hands such a
row out again after ``STUCK_AFTER``: the one message in flight at the crash may go twice, no
SENT row is ever sent again and no PENDING row is lost.
"""

import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from .models import Delivery, Notification
from .unsubscribe import unsubscribe_headers, unsubscribe_url

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
STUCK_AFTER = datetime.timedelta(minutes=15)


def message_for(row: Notification) -> EmailMultiAlternatives:
    """The e-mail for one notification: plain text, an HTML part, both with the unsubscribe link."""
    stop_all = unsubscribe_url(row.recipient)
    stop_kind = unsubscribe_url(row.recipient, row.kind)
    context = {"row": row, "stop_all": stop_all, "stop_kind": stop_kind, "kind_label": row.get_kind_display()}
    message = EmailMultiAlternatives(
        subject=row.headline,
        body=render_to_string("notifications/email/notification.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.recipient.email],
        headers=unsubscribe_headers(stop_kind),
    )
    message.attach_alternative(render_to_string("notifications/email/notification.html", context), "text/html")
    return message


def _claim(pk: int) -> bool:
    now = timezone.now()
    return bool(
        Notification.objects.filter(pk=pk, email=Delivery.PENDING).update(
            email=Delivery.SENDING, email_claimed_at=now, email_attempts=F("email_attempts") + 1
        )
    )


def send_rows(ids: Iterable[int]) -> int:
    """Sends the pending rows among ``ids`` over one SMTP connection; returns how many went out."""
    sent = 0
    connection = None
    try:
        for pk in ids:
            if not _claim(pk):
                continue  # sent already, taken by another worker, or no longer wanted
            row = Notification.objects.select_related("recipient", "actor").get(pk=pk)
            if not row.recipient.email or not row.recipient.is_active:
                Notification.objects.filter(pk=pk).update(email=Delivery.NONE)
                continue
            if connection is None:
                connection = get_connection()
                connection.open()
            try:
                connection.send_messages([message_for(row)])
            except (OSError, ValueError) as error:  # smtplib's errors are OSErrors
                logger.warning("notification e-mail %s failed: %s", pk, error)
                retry = row.email_attempts < MAX_ATTEMPTS
                Notification.objects.filter(pk=pk).update(
                    email=Delivery.PENDING if retry else Delivery.FAILED, email_error=str(error)[:300]
                )
                connection.close()
                connection = None
                continue
            Notification.objects.filter(pk=pk).update(email=Delivery.SENT, emailed_at=timezone.now(), email_error="")
            sent += 1
    finally:
        if connection is not None:
            connection.close()
    return sent


@task()
def send_notification_emails(ids: list[int]) -> int:
    """Queued in the transaction that wrote the rows: sends their e-mail."""
    return send_rows(ids)


def due_ids(now: datetime.datetime | None = None) -> list[int]:
    """Rows waiting for e-mail: pending ones (a queued job lost or failed) and ones stuck in sending."""
    now = now or timezone.now()
    stuck = Notification.objects.filter(email=Delivery.SENDING, email_claimed_at__lt=now - STUCK_AFTER)
    stuck.update(email=Delivery.PENDING)
    return list(
        Notification.objects.filter(Q(email=Delivery.PENDING)).order_by("pk").values_list("pk", flat=True)[:5000]
    )


def deliver_due() -> int:
    """Sends every e-mail still due (``manage.py send_notifications`` runs this)."""
    return send_rows(due_ids())
