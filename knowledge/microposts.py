"""Microposts: #hashtags become tags, @mentions link to profiles and notify the person mentioned."""

import re

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django_tasks.backends.immediate import ImmediateBackend
from modelsearch.tasks import insert_or_update_object_task
from wagtail.search.index import insert_or_update_object

from . import signals
from .models import Account, Mention, Micropost
from .tagging import normalise_tag, normalise_tags

# "&" is excluded before "#" so that escaped entities such as &#x27; are never read as hashtags.
HASHTAG = re.compile(r"(?<![\w&/])#(\w[\w-]{0,49})")
MENTION = re.compile(r"(?<![\w@/])@(\w(?:[\w.+-]{0,148}\w)?)")


def hashtags(text: str) -> list[str]:
    """The tags a text names, each in its one spelling, in order, without repeats."""
    return normalise_tags(HASHTAG.findall(text))


def mentions(text: str) -> list[str]:
    return list(dict.fromkeys(MENTION.findall(text)))


def _mention_link(match) -> str:
    try:
        url = reverse("profile", args=[match.group(1)])
    except NoReverseMatch:
        return match.group(0)
    return f'<a class="mention" href="{url}">@{match.group(1)}</a>'


def render_text(text: str) -> SafeString:
    """Escapes the text, then links hashtags to tag pages and mentions to profiles."""
    html = escape(text)

    def tag_link(match):
        slug = slugify(normalise_tag(match.group(1)))
        if not slug:
            return match.group(0)
        return f'<a class="hashtag" href="{reverse("tag_detail", args=[slug])}">#{match.group(1)}</a>'

    html = HASHTAG.sub(tag_link, html)
    html = MENTION.sub(_mention_link, html)
    return mark_safe(html.replace("\n", "<br>"))


def render_mentions(text: str) -> SafeString:
    """Escapes the text and links @mentions to profiles (comments: their #words make no tags)."""
    return mark_safe(MENTION.sub(_mention_link, escape(text)).replace("\n", "<br>"))


def mentioned_users(text: str, *, exclude=None):
    """Active people ``text`` mentions, except ``exclude``."""
    names = mentions(text)
    users = get_user_model().objects.filter(username__in=names, is_active=True)
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return list(users)


def notify_mentions(item, text: str, *, author, target, url: str, skip=()) -> list:
    """Tells the people ``text`` mentions who were never told about ``item`` before.

    Each person hears once per item: an edit that mentions them again, or one that drops and
    restores their name, tells nobody. ``skip`` are people told about ``item`` another way
    (the author of the post commented on): recorded, not told again. Sends ``mentioned`` for
    the rest (the notifications app writes their rows) and returns them.
    """
    users = mentioned_users(text, exclude=author)
    if not users:
        return []
    content_type = ContentType.objects.get_for_model(item)
    told = set(Mention.objects.filter(content_type=content_type, object_id=item.pk).values_list("user_id", flat=True))
    fresh = [user for user in users if user.pk not in told]
    Mention.objects.bulk_create(
        [Mention(user=user, content_type=content_type, object_id=item.pk) for user in fresh],
        ignore_conflicts=True,
    )
    fresh = [user for user in fresh if user not in skip]
    if fresh:
        signals.mentioned.send(sender=type(item), instance=item, target=target, users=fresh, author=author, url=url)
    return fresh


def _index_with_tags(micropost: Micropost) -> None:
    """Indexes the post again now that its tags are set, unless a worker will.

    The save queued an index update. Run inline (no worker configured) it came before the
    tags; a worker runs it after this transaction commits, so it sees them, and the web
    process leaves the index to its one writer.
    """
    if isinstance(insert_or_update_object_task.get_backend(), ImmediateBackend):
        insert_or_update_object(micropost)


def _notify_mentions(micropost: Micropost) -> None:
    notify_mentions(
        micropost, micropost.text, author=micropost.author, target=micropost, url=micropost.get_absolute_url()
    )


@transaction.atomic
def post_micropost(*, author, text: str, account: Account | None = None) -> Micropost:
    """Saves a micropost, tags it from its hashtags, tells mentioned people and signals the share."""
    micropost = Micropost.objects.create(author=author, text=text.strip(), account=account)
    micropost.tags.set(hashtags(micropost.text))
    _index_with_tags(micropost)
    _notify_mentions(micropost)
    signals.shared.send(sender=Micropost, instance=micropost, user=author)
    return micropost


@transaction.atomic
def edit_micropost(micropost: Micropost, *, text: str, account: Account | None = None) -> Micropost:
    """Changes the text; only people never mentioned in it before are notified."""
    micropost.text = text.strip()
    micropost.account = account
    micropost.edited_at = timezone.now()
    micropost.save()
    micropost.tags.set(hashtags(micropost.text))
    _index_with_tags(micropost)
    _notify_mentions(micropost)
    return micropost
