"""What the home page highlights: trending items and what marketing features."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch
from django.utils import timezone

from config import caching
from config.caching import cached

from ..models.marketing import FeaturedCollection, FeaturedCollectionItem
from ..models.reactions import HelpfulMark
from ..models.tips import TipPage

TRENDING_DAYS = 7
TRENDING_COUNT = 5
# Trending and featured change slowly: a tip's save or curation invalidates them early; a new
# helpful mark shows in trending within the minute (recounting the week's marks on every mark
# would cost the next reader of the feed more than the minute is worth).
CACHE_SECONDS = caching.LISTING_SECONDS


def trending_cached(request=None) -> list:
    """Trending for the home page: the grouped query runs at most once a minute."""
    items = cached(caching.TRENDING, trending)
    for item in items:
        item.card_url = item.get_url(request) if isinstance(item, TipPage) else item.get_absolute_url()
    return items


def featured_cached(request=None) -> tuple[list[TipPage], list[FeaturedCollection]]:
    tips, collections = cached(caching.FEATURED, featured)
    for tip in tips:
        tip.card_url = tip.get_url(request)
    for collection in collections:
        for entry in collection.items.all():
            entry.tip.card_url = entry.tip.get_url(request)
    return tips, collections


def trending(user=None, *, days: int = TRENDING_DAYS, count: int = TRENDING_COUNT) -> list:
    """The most helpful items of the last ``days`` days: one grouped query, one per kind."""
    since = timezone.now() - datetime.timedelta(days=days)
    rows = list(
        HelpfulMark.objects.filter(created_at__gte=since)
        .values("content_type_id", "object_id")
        .annotate(marks=Count("pk"))
        .order_by("-marks", "-object_id")[: count * 3]
    )
    by_type: dict[int, list[int]] = {}
    for row in rows:
        by_type.setdefault(row["content_type_id"], []).append(row["object_id"])
    found = {}
    for content_type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            continue
        queryset = model._default_manager.filter(pk__in=ids)
        if model is TipPage:
            queryset = queryset.listed().defer_streamfields()
        for obj in queryset:
            found[(content_type_id, obj.pk)] = obj
    items = []
    for row in rows:
        obj = found.get((row["content_type_id"], row["object_id"]))
        if obj is not None:
            obj.recent_marks = row["marks"]
            items.append(obj)
    return items[:count]


def featured(*, limit: int = 6) -> tuple[list[TipPage], list[FeaturedCollection]]:
    """Featured tips and the pinned collections, in the order marketing set: three queries."""
    tips = list(
        TipPage.objects.listed()
        .filter(featured=True)
        .select_related("author")
        .defer_streamfields()
        .order_by("-first_published_at")[:limit]
    )
    items = (
        FeaturedCollectionItem.objects.filter(tip__live=True, tip__retired=False)
        .select_related("tip")
        .order_by("sort_order")
    )
    collections = list(
        FeaturedCollection.objects.filter(pinned=True).prefetch_related(Prefetch("items", queryset=items))
    )
    return tips, collections
