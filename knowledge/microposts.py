"""Microposts: #hashtags become tags, @mentions link to profiles and notify the person mentioned."""

import re

from django.contrib.auth import get_user_model
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
from .models import Account, Micropost
from .notifications import absolute, notify

# "&" is excluded before "#" so that escaped entities such as &#x27; are never read as hashtags.
HASHTAG = re.compile(r"(?<![\w&/])#(\w[\w-]{0,49})")
MENTION = re.compile(r"(?<![\w@/])@(\w(?:[\w.+-]{0,148}\w)?)")


def hashtags(text: str) -> list[str]:
    """The tags a text names, lower-cased, in order, without repeats."""
    found = dict.fromkeys(tag.lower().strip("-") for tag in HASHTAG.findall(text))
    return [tag for tag in found if tag]


def mentions(text: str) -> list[str]:
    return list(dict.fromkeys(MENTION.findall(text)))


def render_text(text: str) -> SafeString:
    """Escapes the text, then links hashtags to tag pages and mentions to profiles."""
    html = escape(text)

    def tag_link(match):
        slug = slugify(match.group(1))
        if not slug:
            return match.group(0)
        return (
            f'<a class="hashtag" href="{reverse("tag_detail", args=[slug])}">#{match.group(1)}</a>'
        )

    def mention_link(match):
        try:
            url = reverse("profile", args=[match.group(1)])
        except NoReverseMatch:
            return match.group(0)
        return f'<a class="mention" href="{url}">@{match.group(1)}</a>'

    html = HASHTAG.sub(tag_link, html)
    html = MENTION.sub(mention_link, html)
    return mark_safe(html.replace("\n", "<br>"))


def mentioned_users(text: str, *, exclude=None):
    names = mentions(text)
    users = get_user_model().objects.filter(username__in=names, is_active=True)
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return list(users)


def _index_with_tags(micropost: Micropost) -> None:
    """Indexes the post again now that its tags are set, unless a worker will.

    The save queued an index update. Run inline (no worker configured) it came before the
    tags; a worker runs it after this transaction commits, so it sees them, and the web
    process leaves the index to its one writer.
    """
    if isinstance(insert_or_update_object_task.get_backend(), ImmediateBackend):
        insert_or_update_object(micropost)


def _notify_mentions(micropost: Micropost, users) -> None:
    name = micropost.author.get_full_name() or micropost.author.username
    body = (
        f"{name} mentioned you on Huddle:\n\n{micropost.text}\n\n"
        f"Open it: {absolute(micropost.get_absolute_url())}\n"
    )
    notify(users, f"{name} mentioned you on Huddle", body)


@transaction.atomic
def post_micropost(*, author, text: str, account: Account | None = None) -> Micropost:
    """Saves a micropost, tags it from its hashtags, notifies mentions and signals the share."""
    micropost = Micropost.objects.create(author=author, text=text.strip(), account=account)
    micropost.tags.set(hashtags(micropost.text))
    _index_with_tags(micropost)
    _notify_mentions(micropost, mentioned_users(micropost.text, exclude=author))
    signals.shared.send(sender=Micropost, instance=micropost, user=author)
    return micropost


@transaction.atomic
def edit_micropost(micropost: Micropost, *, text: str, account: Account | None = None) -> Micropost:
    """Changes the text; only people newly mentioned are notified."""
    before = set(mentions(micropost.text))
    micropost.text = text.strip()
    micropost.account = account
    micropost.edited_at = timezone.now()
    micropost.save()
    micropost.tags.set(hashtags(micropost.text))
    _index_with_tags(micropost)
    newly = [
        user
        for user in mentioned_users(micropost.text, exclude=micropost.author)
        if user.username not in before
    ]
    _notify_mentions(micropost, newly)
    return micropost
