"""What people can follow (a tag, an account, a colleague, a coaching series, a collection) and who
follows what a new item is about."""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Q

from config.people import person_name

from .models import Follow

# Followable models by label; each one's page shows a Follow button.
FOLLOWABLE = (
    "taggit.tag",
    "knowledge.account",
    "auth.user",
    "coaching.series",
    "knowledge.featuredcollection",
)


def followable_model(content_type: ContentType) -> bool:
    return f"{content_type.app_label}.{content_type.model}" in FOLLOWABLE


def _type(label: str) -> ContentType:
    return ContentType.objects.get_for_model(apps.get_model(label))


def toggle_follow(user, obj) -> bool:
    """Follows ``obj``, or stops following it; returns whether ``user`` follows it now."""
    content_type = ContentType.objects.get_for_model(obj)
    deleted, _ = Follow.objects.filter(user=user, content_type=content_type, object_id=obj.pk).delete()
    if deleted:
        return False
    try:
        with transaction.atomic():
            Follow.objects.create(user=user, content_type=content_type, object_id=obj.pk)
    except IntegrityError:  # a double click raced itself: it is followed either way
        pass
    return True


def follow_label(obj) -> str:
    """How a followed thing is named on its button: #tag, a person's name, an account's name."""
    label = obj._meta.label_lower
    if label == "taggit.tag":
        return f"#{obj.name}"
    if label == "auth.user":
        return person_name(obj)
    return str(obj)


def is_following(user, obj) -> bool:
    return Follow.objects.of(obj).filter(user=user).exists()


def follower_count(obj) -> int:
    return Follow.objects.of(obj).count()


def followers_of_item(instance, *, author) -> set[int]:
    """People following anything a newly shared item is about: its tags, account, author, series."""
    conditions = Q()
    tags = getattr(instance, "tags", None)
    tag_ids = list(tags.values_list("pk", flat=True)) if tags is not None else []
    if tag_ids:
        conditions |= Q(content_type=_type("taggit.tag"), object_id__in=tag_ids)
    if getattr(instance, "account_id", None):
        conditions |= Q(content_type=_type("knowledge.account"), object_id=instance.account_id)
    if getattr(instance, "series_id", None):
        conditions |= Q(content_type=_type("coaching.series"), object_id=instance.series_id)
    if author is not None:
        conditions |= Q(content_type=ContentType.objects.get_for_model(get_user_model()), object_id=author.pk)
    if not conditions:
        return set()
    return set(Follow.objects.filter(conditions).values_list("user_id", flat=True).distinct())


def followers_of(obj) -> set[int]:
    return set(Follow.objects.of(obj).values_list("user_id", flat=True))
