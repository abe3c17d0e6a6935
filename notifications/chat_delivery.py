"""Notifications to a person's own chat webhook: one message per row, sent by the worker, recorded.

The same life as e-mail (``emails.py``): PENDING -> SENDING (claimed in its own update) -> SENT; a
failure goes back to PENDING for the next ``send_notifications`` run until ``MAX_ATTEMPTS``, a
refusal no retry can fix (a deleted webhook's 404) fails at once, and a row a killed worker left
SENDING is handed out again after ``STUCK_AFTER``.
"""

import datetime
import logging
from collections.abc import Iterable

from django.db.models import F
from django.utils import timezone
from django_tasks import task

from chat.delivery import RETRYABLE_CODES, payload, post_json

from .models import Delivery, Notification, NotificationSettings

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
STUCK_AFTER = datetime.timedelta(minutes=15)


def with_webhook(user_ids: Iterable[int]) -> set[int]:
    """Those of ``user_ids`` who gave a chat webhook of their own."""
    return set(
        NotificationSettings.objects.filter(user_id__in=list(user_ids))
        .exclude(chat_webhook_url="")
        .values_list("user_id", flat=True)
    )


def _claim(pk: int) -> bool:
    return bool(
        Notification.objects.filter(pk=pk, chat=Delivery.PENDING).update(
            chat=Delivery.SENDING, chat_claimed_at=timezone.now(), chat_attempts=F("chat_attempts") + 1
        )
    )


def send_chat_rows(ids: Iterable[int]) -> int:
    """Posts the pending rows among ``ids`` to their people's webhooks; returns how many went out."""
    sent = 0
    for pk in ids:
        if not _claim(pk):
            continue  # sent already, taken by another worker, or no longer wanted
        row = Notification.objects.select_related("actor").get(pk=pk)
        where = NotificationSettings.objects.filter(user_id=row.recipient_id).values("chat_service", "chat_webhook_url")
        where = where.first() or {"chat_webhook_url": ""}
        if not where["chat_webhook_url"]:
            Notification.objects.filter(pk=pk).update(chat=Delivery.NONE)  # the address was removed since
            continue
        outcome = post_json(
            where["chat_webhook_url"],
            payload(where["chat_service"], title=row.headline, text=row.excerpt[:500], link=row.link),
        )
        if outcome.ok:
            Notification.objects.filter(pk=pk).update(chat=Delivery.SENT, chat_error="")
            sent += 1
            continue
        logger.warning("notification %s to chat failed: %s", pk, outcome.error)
        permanent = outcome.code is not None and 400 <= outcome.code < 500 and outcome.code not in RETRYABLE_CODES
        again = not permanent and row.chat_attempts < MAX_ATTEMPTS
        Notification.objects.filter(pk=pk).update(
            chat=Delivery.PENDING if again else Delivery.FAILED, chat_error=outcome.error[:300]
        )
    return sent


@task()
def send_notification_chats(ids: list[int]) -> int:
    """Queued in the transaction that wrote the rows: posts them to chat."""
    return send_chat_rows(ids)


def due_chat_ids(now: datetime.datetime | None = None) -> list[int]:
    """Rows waiting for chat: pending ones (a failure to retry, a lost job) and ones stuck in sending."""
    now = now or timezone.now()
    Notification.objects.filter(chat=Delivery.SENDING, chat_claimed_at__lt=now - STUCK_AFTER).update(
        chat=Delivery.PENDING
    )
    return list(Notification.objects.filter(chat=Delivery.PENDING).order_by("pk").values_list("pk", flat=True)[:5000])
