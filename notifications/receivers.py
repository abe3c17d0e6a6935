"""Turns what knowledge and coaching signal into notification rows, inside the event's transaction."""

from django.contrib.auth import get_user_model

from .follows import followers_of, followers_of_item
from .models import Kind
from .recording import notify, withdraw

# Shared kinds whose new items reach the people following what they are about (pitch practice
# submissions stay between the rep and their reviewers).
ANNOUNCED_KINDS = ("knowledge.tippage", "knowledge.micropost", "coaching.coachingvideopage")


def _title(obj) -> str:
    text = " ".join(str(obj).split())
    return text if len(text) <= 80 else f"{text[:79]}…"


def _noun(obj) -> str:
    return obj._meta.verbose_name


def _text_of(item) -> str:
    for name in ("comment", "text", "summary"):
        value = getattr(item, name, None)
        if isinstance(value, str):
            return value
    return ""


def on_mentioned(sender, instance, target, users, author, url, **kwargs):
    if instance is target:
        summary = "mentioned you on Huddle"
    else:
        summary = f"mentioned you in a comment on “{_title(target)}”"
    notify(users, Kind.MENTION, actor=author, summary=summary, url=url, target=target, excerpt=_text_of(instance))


def on_commented(sender, comment, target, commenter, content_author, parent_author, url, **kwargs):
    title = _title(target)
    if content_author is not None:
        notify(
            [content_author],
            Kind.COMMENT,
            actor=commenter,
            summary=f"commented on “{title}”",
            url=url,
            target=target,
            excerpt=comment.comment,
        )
    if parent_author is not None:
        notify(
            [parent_author],
            Kind.REPLY,
            actor=commenter,
            summary=f"replied to your comment on “{title}”",
            url=url,
            target=target,
            excerpt=comment.comment,
        )


def on_helpful_marked(sender, instance, user, author=None, undone=False, **kwargs):
    if author is None:
        return
    if undone:
        withdraw(author, Kind.HELPFUL, target=instance)
        return
    notify(
        [author],
        Kind.HELPFUL,
        actor=user,
        summary=f"found your {_noun(instance)} “{_title(instance)}” helpful",
        url=instance.get_absolute_url(),
        target=instance,
        group=True,
    )


def on_review_submitted(sender, instance, reviewer, submitter, **kwargs):
    submission = instance.submission
    notify(
        [submitter],
        Kind.REVIEW,
        actor=reviewer,
        summary=f"reviewed your pitch for “{submission.challenge.title}”",
        url=submission.get_absolute_url(),
        target=submission,
        excerpt=instance.comment,
    )


def on_shared(sender, instance, user, **kwargs):
    if instance._meta.label_lower not in ANNOUNCED_KINDS:
        return
    followers = followers_of_item(instance, author=user)
    if not followers:
        return
    users = get_user_model().objects.filter(pk__in=followers, is_active=True)
    notify(
        users,
        Kind.FOLLOWED,
        actor=user,
        summary=f"shared a {_noun(instance)}: “{_title(instance)}”",
        url=instance.get_absolute_url(),
        target=instance,
        excerpt=_text_of(instance),
    )


def on_curated(sender, tip_ids, fields, **kwargs):
    if fields.get("retired"):
        verb = "retired"
    elif fields.get("verified_until"):
        verb = "verified"
    else:
        return
    for tip in sender.objects.filter(pk__in=tip_ids, author__isnull=False).select_related("author"):
        notify(
            [tip.author],
            Kind.CURATION,
            summary=f"{verb} your tip “{_title(tip)}”",
            url=tip.url or "/",
            target=tip,
        )


def on_collection_item_saved(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    collection = instance.collection
    followers = followers_of(collection)
    if not followers:
        return
    tip = instance.tip
    notify(
        get_user_model().objects.filter(pk__in=followers, is_active=True),
        Kind.FOLLOWED,
        summary=f"added “{_title(tip)}” to the collection “{_title(collection)}”",
        url=tip.url or "/",
        target=tip,
        excerpt=getattr(tip, "summary", ""),
    )


def connect() -> None:
    from django.db.models.signals import post_save

    from coaching.signals import review_submitted
    from knowledge import signals
    from knowledge.models import FeaturedCollectionItem

    signals.mentioned.connect(on_mentioned, dispatch_uid="notifications_mentioned")
    signals.commented.connect(on_commented, dispatch_uid="notifications_commented")
    signals.helpful_marked.connect(on_helpful_marked, dispatch_uid="notifications_helpful")
    signals.shared.connect(on_shared, dispatch_uid="notifications_shared")
    signals.curated.connect(on_curated, dispatch_uid="notifications_curated")
    review_submitted.connect(on_review_submitted, dispatch_uid="notifications_review")
    post_save.connect(on_collection_item_saved, sender=FeaturedCollectionItem, dispatch_uid="notifications_collection")
