"""The first-run choice (follow the tags of one's own accounts) and the time of a person's last visit."""

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone
from taggit.models import Tag

from .models import Follow, NotificationSettings

VISIT_KEY = "notifications:visit:{}"
SUGGESTED_KEY = "notifications:first-run-tags:{}"
VISIT_EVERY = 600  # seconds: a visit is written at most this often per person


def record_visit(user) -> None:
    """Remembers that ``user`` is here (the digest covers what happened since), at most every 10 min."""
    key = VISIT_KEY.format(user.pk)
    if cache.get(key):
        return
    NotificationSettings.objects.update_or_create(user=user, defaults={"last_visit_at": timezone.now()})
    cache.set(key, True, VISIT_EVERY)


def own_account_ids(user) -> set[int]:
    """Accounts ``user`` works: their deals' accounts and the accounts of their tips."""
    from knowledge.models import TipPage
    from leaderboard.models import Deal

    ids = set(Deal.objects.filter(owner=user, account__isnull=False).values_list("account_id", flat=True))
    ids |= set(TipPage.objects.filter(author=user, account__isnull=False).values_list("account_id", flat=True))
    return ids


def suggested_tags(user, *, limit: int = 8) -> list[Tag]:
    """The tags used most on tips and posts about ``user``'s accounts, not followed yet (cached)."""
    key = SUGGESTED_KEY.format(user.pk)
    found = cache.get(key)
    if found is not None:
        return found
    from knowledge.models import MicropostTag, TipPageTag

    accounts = own_account_ids(user)
    counts: dict[int, int] = {}
    if not accounts:
        cache.set(key, [], 600)
        return []
    for through in (TipPageTag, MicropostTag):
        rows = through.objects.filter(content_object__account_id__in=accounts).values("tag_id").annotate(n=Count("id"))
        for row in rows:
            counts[row["tag_id"]] = counts.get(row["tag_id"], 0) + row["n"]
    followed = set(
        Follow.objects.filter(user=user, content_type=ContentType.objects.get_for_model(Tag)).values_list(
            "object_id", flat=True
        )
    )
    best = sorted((pk for pk in counts if pk not in followed), key=lambda pk: (-counts[pk], pk))[:limit]
    by_pk = Tag.objects.in_bulk(best)
    found = [by_pk[pk] for pk in best if pk in by_pk]
    cache.set(key, found, 600)
    return found


def answer(user, *, follow: bool) -> list[Tag]:
    """Records the first-run answer; with ``follow``, follows the suggested tags. Returns them."""
    tags = suggested_tags(user) if follow else []
    content_type = ContentType.objects.get_for_model(Tag)
    Follow.objects.bulk_create(
        [Follow(user=user, content_type=content_type, object_id=tag.pk) for tag in tags], ignore_conflicts=True
    )
    NotificationSettings.objects.update_or_create(user=user, defaults={"first_run_done": True})
    from .header import forget_header
    from .templatetags.notifications_tags import forget_followed

    forget_header(user.pk)
    forget_followed(user)
    cache.delete(SUGGESTED_KEY.format(user.pk))
    return tags
