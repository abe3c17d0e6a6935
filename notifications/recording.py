"""Writes notification rows in the caller's transaction and queues their e-mail from them."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from config import outbound

from .header import forget_header, header_state
from .models import Channel, Delivery, Notification
from .preferences import email_off, wanting


def unread_count(user) -> int:
    """The bell's number (cached with the rest of the header: ``header.header_state``)."""
    return header_state(user)["unread"]


def forget_unread(user_ids: Iterable[int]) -> None:
    """Drops the cached header now and again when the transaction commits (a reader in between
    could have cached the old number)."""
    ids = tuple(set(user_ids))
    if not ids:
        return
    forget_header(*ids)
    transaction.on_commit(lambda: forget_header(*ids))


def _absolute(url: str) -> str:
    from knowledge.links import absolute  # the request's own host, else SITE_DOMAIN

    return absolute(url)


@transaction.atomic
def notify(
    recipients: Iterable,
    kind: str,
    *,
    actor=None,
    summary: str,
    url: str,
    target=None,
    excerpt: str = "",
    group: bool = False,
    once: str = "",
) -> list[Notification]:
    """Tells each of ``recipients`` (never the actor) that ``actor`` ``summary``.

    With ``group``, an unread row of the same kind about the same item grows by one actor
    instead of adding a row. With ``once``, a key naming the event, people who were told of it
    already (read or not) are not told again. Rows whose people want this kind by e-mail are queued for the
    worker; the task row is written in this same transaction.
    """
    ids = {user.pk for user in recipients if user is not None and user.pk != getattr(actor, "pk", None)}
    if once:
        ids -= set(
            Notification.objects.filter(group_key=once, recipient_id__in=ids).values_list("recipient_id", flat=True)
        )
    in_app = wanting(ids, kind, Channel.APP)
    sending = not outbound.is_held()  # the demo seed: the bell only
    by_email = wanting(ids, kind, Channel.EMAIL) - email_off(ids) if sending else set()
    by_digest = wanting(ids, kind, Channel.DIGEST) if sending else set()
    by_chat = wanting(ids, kind, Channel.CHAT) if sending else set()
    if by_chat:
        from .chat_delivery import with_webhook

        by_chat &= with_webhook(by_chat)
    keep = in_app | by_email | by_digest | by_chat
    if not keep:
        return []
    content_type = ContentType.objects.get_for_model(target) if target is not None else None
    group_key = f"{kind}:{content_type.pk}:{target.pk}" if group and target is not None else once
    now = timezone.now()
    written = []
    grown = {}
    if group_key:
        grown = {
            row.recipient_id: row
            for row in Notification.objects.select_for_update().filter(
                recipient_id__in=keep, group_key=group_key, read_at__isnull=True
            )
        }
    link = _absolute(url)
    for pk in sorted(keep):
        row = grown.get(pk)
        if row is not None:
            row.actor_count += 1
            row.actor = actor
            row.updated_at = now
            row.save(update_fields=["actor_count", "actor", "updated_at"])
            written.append(row)
            continue
        written.append(
            Notification(
                recipient_id=pk,
                kind=kind,
                actor=actor,
                content_type=content_type,
                object_id=getattr(target, "pk", None),
                summary=summary[:300],
                excerpt=excerpt,
                url=url,
                link=link,
                group_key=group_key,
                created_at=now,
                updated_at=now,
                in_app=pk in in_app,
                digest=pk in by_digest,
                email=Delivery.PENDING if pk in by_email else Delivery.NONE,
                chat=Delivery.PENDING if pk in by_chat else Delivery.NONE,
            )
        )
    new = [row for row in written if row.pk is None]
    Notification.objects.bulk_create(new)
    forget_unread(keep)
    emailed = [row.pk for row in new if row.email == Delivery.PENDING]
    if emailed:
        from .emails import send_notification_emails

        send_notification_emails.enqueue(emailed)
    chatted = [row.pk for row in new if row.chat == Delivery.PENDING]
    if chatted:
        from .chat_delivery import send_notification_chats

        send_notification_chats.enqueue(chatted)
    return written


def withdraw(recipient, kind: str, *, target) -> None:
    """An actor took back what grouped them in (a helpful mark undone): one fewer, or no row."""
    if recipient is None:
        return
    content_type = ContentType.objects.get_for_model(target)
    group_key = f"{kind}:{content_type.pk}:{target.pk}"
    row = Notification.objects.filter(recipient=recipient, group_key=group_key, read_at__isnull=True).first()
    if row is None:
        return
    if row.actor_count > 1:
        row.actor_count -= 1
        row.save(update_fields=["actor_count"])
    elif row.email in (Delivery.NONE, Delivery.PENDING):
        row.delete()
    forget_unread([recipient.pk])


def mark_read(user, pk: int | None = None) -> int:
    """Marks one of ``user``'s notifications read, or all of them; returns how many changed."""
    rows = Notification.objects.filter(recipient=user).unread()
    if pk is not None:
        rows = rows.filter(pk=pk)
    changed = rows.update(read_at=timezone.now())
    forget_unread([user.pk])
    return changed
