"""Sends chat messages to their channels' incoming webhooks, from the worker, and records each try.

A message goes PENDING -> SENDING (claimed in its own committed update, so two workers never take
the same one) -> SENT. A failure puts it back to PENDING with the next try further away each time
(``backoff``), until ``MAX_ATTEMPTS``, then FAILED; a refusal that no retry can fix (a removed
webhook answers 404) fails at once. A worker killed between claiming and recording leaves the
message SENDING; ``deliver_due`` hands it out again after ``STUCK_AFTER``: only that one message in
flight at the crash can go twice, a SENT message never goes again and no PENDING one is lost.
"""

import datetime
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import default_task_backend, task

from config.people import person_name

from .models import ChatChannel, ChatMessage, Service, Status

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
FIRST_RETRY = datetime.timedelta(seconds=30)
LONGEST_WAIT = datetime.timedelta(hours=1)
STUCK_AFTER = datetime.timedelta(minutes=10)
# Worth trying again: the receiver was busy or rate-limited us; other 4xx answers will not change.
RETRYABLE_CODES = {408, 425, 429}


def backoff(attempts: int) -> datetime.timedelta:
    """The wait before the next try after ``attempts`` failed ones: 30 s, 1 min, 2 min, … at most an hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def payload_for(message: ChatMessage) -> dict:
    """The JSON body the message's channel expects."""
    return payload(message.channel.service, title=message.title, text=message.text, link=message.link)


def payload(service: str, *, title: str, text: str, link: str) -> dict:
    """The JSON body a service's incoming webhook expects: Slack blocks, or a Teams Adaptive Card."""
    if service == Service.TEAMS:
        body = [{"type": "TextBlock", "text": f"[{title}]({link})", "wrap": True, "weight": "Bolder"}]
        if text:
            body.append({"type": "TextBlock", "text": text, "wrap": True})
        return {
            "type": "message",
            "attachments": [
                {
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "contentUrl": None,
                    "content": {
                        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                        "type": "AdaptiveCard",
                        "version": "1.4",
                        "body": body,
                        "actions": [{"type": "Action.OpenUrl", "title": "Open in Huddle", "url": link}],
                    },
                }
            ],
        }
    line = f"*<{link}|{_slack_escape(title)}>*"
    if text:
        line += f"\n{_slack_escape(text)}"
    return {
        "text": f"{title} {link}",  # the notification's text, where blocks do not show
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": line}}],
        "unfurl_links": False,
    }


def _slack_escape(text: str) -> str:
    """Slack's three control characters, so a title cannot turn into a link or a mention."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass
class Outcome:
    ok: bool
    code: int | None = None
    error: str = ""
    retry_after: int | None = None


def post_json(url: str, payload: dict) -> Outcome:
    """POSTs ``payload`` to a webhook; any answer but 2xx, and any network failure, is an error."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "Huddle"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.CHAT_WEBHOOK_TIMEOUT) as response:
            response.read(1000)
            return Outcome(ok=True, code=response.status)
    except urllib.error.HTTPError as error:
        body = error.read(200).decode("utf-8", "replace").strip()
        retry_after = error.headers.get("Retry-After", "")
        return Outcome(
            ok=False,
            code=error.code,
            error=f"HTTP {error.code} {error.reason}" + (f": {body}" if body else ""),
            retry_after=int(retry_after) if retry_after.isdigit() else None,
        )
    except (OSError, ValueError) as error:  # refused, reset, timed out, a bad address
        reason = getattr(error, "reason", None) or error
        return Outcome(ok=False, error=f"{type(reason).__name__}: {reason}"[:300])


def _claim(pk: int, now: datetime.datetime) -> bool:
    return bool(
        ChatMessage.objects.filter(pk=pk, status=Status.PENDING, next_attempt_at__lte=now).update(
            status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def send_messages(ids: Iterable[int], *, now: datetime.datetime | None = None) -> int:
    """Sends the due messages among ``ids``; returns how many went out. Retries are scheduled."""
    sent = 0
    retry_at = None
    for pk in ids:
        moment = now or timezone.now()
        if not _claim(pk, moment):
            continue  # sent already, taken by another worker, or not due yet
        message = ChatMessage.objects.select_related("channel").get(pk=pk)
        if not message.channel.active:
            ChatMessage.objects.filter(pk=pk).update(status=Status.FAILED, last_error="The channel was switched off.")
            continue
        outcome = post_json(message.channel.webhook_url, payload_for(message))
        if outcome.ok:
            ChatMessage.objects.filter(pk=pk).update(
                status=Status.SENT, sent_at=timezone.now(), response_code=outcome.code, last_error=""
            )
            sent += 1
            continue
        logger.warning("chat message %s to %s failed: %s", pk, message.channel.name, outcome.error)
        permanent = outcome.code is not None and 400 <= outcome.code < 500 and outcome.code not in RETRYABLE_CODES
        wait = backoff(message.attempts)
        if outcome.retry_after is not None:
            wait = max(wait, datetime.timedelta(seconds=outcome.retry_after))
        again = not permanent and message.attempts < MAX_ATTEMPTS
        ChatMessage.objects.filter(pk=pk).update(
            status=Status.PENDING if again else Status.FAILED,
            next_attempt_at=moment + wait,
            response_code=outcome.code,
            last_error=outcome.error[:300],
        )
        if again:
            retry_at = min(retry_at or moment + wait, moment + wait)
    if retry_at is not None and default_task_backend.supports_defer:
        send_due_chat_messages.using(run_after=retry_at).enqueue()
    return sent


@task()
def send_chat_messages(ids: list[int]) -> int:
    """Queued when an event's transaction commits: sends its messages."""
    return send_messages(ids)


def due_ids(now: datetime.datetime | None = None) -> list[int]:
    """Messages whose time has come: new ones a lost job left, retries, and ones a dead worker held."""
    now = now or timezone.now()
    ChatMessage.objects.filter(status=Status.SENDING, claimed_at__lt=now - STUCK_AFTER).update(
        status=Status.PENDING, next_attempt_at=now
    )
    return list(ChatMessage.objects.due(now).order_by("pk").values_list("pk", flat=True)[:5000])


def deliver_due(now: datetime.datetime | None = None) -> int:
    """Sends every chat message that is due (``manage.py send_chat_messages`` runs this)."""
    return send_messages(due_ids(now), now=now)


@task()
def send_due_chat_messages() -> int:
    """Queued with ``run_after`` for the next retry when the task backend can wait."""
    return deliver_due()


TEST_EVENT = "test:"


def send_test_message(channel: ChatChannel, *, by) -> ChatMessage:
    """Posts a test message to ``channel`` now, once, and records it in the delivery log.

    It is tried once, not retried: the person who pressed the button is waiting for the answer.
    """
    from knowledge.links import absolute

    message = ChatMessage.objects.create(
        channel=channel,
        event=f"{TEST_EVENT}{timezone.now().isoformat()}:{by.pk}",
        title="Test message from Huddle",
        text=f"{person_name(by)} checked that Huddle can post to {channel.name}.",
        link=absolute("/"),
        status=Status.SENDING,
        attempts=1,
        claimed_at=timezone.now(),
    )
    outcome = post_json(channel.webhook_url, payload_for(message))
    message.status = Status.SENT if outcome.ok else Status.FAILED
    message.response_code = outcome.code
    message.last_error = outcome.error[:300]
    message.sent_at = timezone.now() if outcome.ok else None
    message.save(update_fields=["status", "response_code", "last_error", "sent_at"])
    return message


def resend_failed(channel: ChatChannel) -> int:
    """Queues the channel's failed messages again with a fresh set of retries; returns how many.

    Each one goes FAILED -> PENDING in one update, and the worker claims a PENDING message before
    sending it, so pressing the button twice (or two people pressing it) sends each message once.
    Test messages are not resent: they were answered when they were sent.
    """
    with transaction.atomic():
        ids = list(
            ChatMessage.objects.select_for_update()
            .filter(channel=channel, status=Status.FAILED)
            .exclude(event__startswith=TEST_EVENT)
            .values_list("pk", flat=True)
        )
        ChatMessage.objects.filter(pk__in=ids, status=Status.FAILED).update(
            status=Status.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        if ids:
            transaction.on_commit(lambda: send_chat_messages.enqueue(ids))
    return len(ids)
