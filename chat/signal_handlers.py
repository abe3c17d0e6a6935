"""Writes a chat message for each channel following what a new item is about, in the event's transaction."""

from django.db import transaction
from django.db.models import Q

from config.people import person_name
from knowledge.links import absolute

from .models import ChatChannel, ChatMessage

# Shared kinds a channel hears about (pitch practice stays between a rep and their reviewers).
ANNOUNCED_KINDS = ("knowledge.tippage", "knowledge.micropost", "coaching.coachingvideopage")


def _one_line(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def _author_name(user) -> str:
    if user is None:
        return "Someone"
    return person_name(user)


def queue_messages(channels, *, event: str, title: str, text: str, url: str) -> list[int]:
    """One pending message per channel for ``event`` (none where the channel has it already);
    the worker is asked to send them once the event's transaction commits."""
    channels = list(channels)
    if not channels:
        return []
    link = absolute(url)
    ChatMessage.objects.bulk_create(
        [
            ChatMessage(channel=channel, event=event, title=title[:300], text=text[:600], link=link)
            for channel in channels
        ],
        ignore_conflicts=True,
    )
    ids = list(ChatMessage.objects.filter(channel__in=channels, event=event, attempts=0).values_list("pk", flat=True))
    if ids:
        from .delivery import send_chat_messages

        transaction.on_commit(lambda: send_chat_messages.enqueue(ids))
    return ids


def channels_following_item(instance):
    """Active channels following one of the item's tags or its account."""
    conditions = Q()
    tags = getattr(instance, "tags", None)
    tag_ids = list(tags.values_list("pk", flat=True)) if tags is not None else []
    if tag_ids:
        conditions |= Q(tag_id__in=tag_ids)
    if getattr(instance, "account_id", None):
        conditions |= Q(account_id=instance.account_id)
    if not conditions:
        return ChatChannel.objects.none()
    return ChatChannel.objects.active().filter(conditions)


def on_shared(sender, instance, user, **kwargs):
    label = instance._meta.label_lower
    if label not in ANNOUNCED_KINDS:
        return
    restrictions = getattr(instance, "get_view_restrictions", None)
    if restrictions is not None and restrictions().exists():
        return  # a page kept to some people is not told to a whole chat channel
    with transaction.atomic():
        noun = instance._meta.verbose_name
        queue_messages(
            channels_following_item(instance),
            event=f"shared:{label}:{instance.pk}",
            title=_one_line(f"{_author_name(user)} shared a {noun}: {instance}", 300),
            text=_one_line(getattr(instance, "summary", "") or "", 600),
            url=instance.get_absolute_url(),
        )


def on_collection_item_saved(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    collection, tip = instance.collection, instance.tip
    with transaction.atomic():
        queue_messages(
            ChatChannel.objects.active().filter(collection=collection),
            event=f"collection:{collection.pk}:tip:{tip.pk}",
            title=_one_line(f"Added to “{collection}”: {tip}", 300),
            text=_one_line(getattr(tip, "summary", "") or "", 600),
            url=tip.url or "/",
        )


def connect() -> None:
    from django.db.models.signals import post_save

    from knowledge import signals
    from knowledge.models import FeaturedCollectionItem

    signals.shared.connect(on_shared, dispatch_uid="chat_shared")
    post_save.connect(on_collection_item_saved, sender=FeaturedCollectionItem, dispatch_uid="chat_collection")
