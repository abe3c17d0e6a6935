"""What the feed, tag, account, profile and tip pages list, each in a fixed number of queries.

The home stream merges several content kinds newest first. Each kind is a *stream source*: its
listed items, optionally about one tag, account or author, and the time field they sort by. Other
apps (coaching videos) add theirs with ``register_stream_source``.
"""

import datetime
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import cached_property
from django_comments_xtd.models import XtdComment
from taggit.models import Tag
from wagtail.models import Page

from config import caching
from config.caching import cached

from . import contracts
from .models import (
    FeaturedCollection,
    FeaturedCollectionItem,
    HelpfulMark,
    Micropost,
    MicropostTag,
    TipPage,
    TipPageTag,
)
from .reactions import helpful_ids

STREAM_PAGE_SIZE = 20
TIPS_PER_PAGE = 20
TRENDING_DAYS = 7
TRENDING_COUNT = 5
# Trending and featured change slowly: a tip's save or curation invalidates them early; a new
# helpful mark shows in trending within the minute (recounting the week's marks on every mark
# would cost the next reader of the feed more than the minute is worth).
CACHE_SECONDS = caching.LISTING_SECONDS


@dataclass(frozen=True)
class StreamFilter:
    """Narrows a stream to one tag, account or author (None: everything)."""

    tag: Tag | None = None
    account: object | None = None
    author: object | None = None


@dataclass(frozen=True)
class StreamSource:
    """One content kind in the streams: its listed, filtered items and the field they sort by.

    ``items(filters)`` returns a queryset of what the kind's cards show (``select_related`` and
    the like); the stream first reads only ``(time, pk)`` from it and then fetches the few rows
    that made the page, so building objects costs what is shown, not ``limit`` per kind.
    """

    items: Callable[[StreamFilter], QuerySet]
    time_field: str


_sources: list[StreamSource] = []


def register_stream_source(time_field: str):
    """Adds a content kind to the home, tag, account and profile streams (a decorator).

    The decorated function takes a ``StreamFilter`` and returns a queryset whose objects have
    ``feed_time`` and ``card_template`` attributes.
    """

    def register(items: Callable[[StreamFilter], QuerySet]) -> StreamSource:
        source = StreamSource(items, time_field)
        if all(existing.items is not items for existing in _sources):
            _sources.append(source)
        return source

    return register


def stream_sources() -> list[StreamSource]:
    """Every registered content kind of the streams (the feeds read them too)."""
    return list(_sources)


# Above this many items, a tag page walks content newest first and checks the tag per item
# (one index seek each, stopping after a page); below it, fetching the tag's few rows is faster.
POPULAR_TAG_ITEMS = 500


def _with_tag(queryset, through, tag: Tag):
    tagged = through.objects.filter(tag=tag)
    if tagged.count() > POPULAR_TAG_ITEMS:
        return queryset.filter(Exists(tagged.filter(content_object_id=OuterRef("pk"))))
    return queryset.filter(pk__in=tagged.values("content_object_id"))


def tip_source(filters: StreamFilter) -> QuerySet:
    tips = TipPage.objects.listed().for_cards()
    if filters.tag is not None:
        tips = _with_tag(tips, TipPageTag, filters.tag)
    if filters.account is not None:
        tips = tips.filter(account=filters.account)
    if filters.author is not None:
        tips = tips.filter(author=filters.author)
    return tips


def micropost_source(filters: StreamFilter) -> QuerySet:
    posts = Micropost.objects.for_cards()
    if filters.tag is not None:
        posts = _with_tag(posts, MicropostTag, filters.tag)
    if filters.account is not None:
        posts = posts.filter(account=filters.account)
    if filters.author is not None:
        posts = posts.filter(author=filters.author)
    return posts


def contract_source(model) -> Callable[[StreamFilter], QuerySet]:
    """The stream source a model's ``knowledge.contracts.SharedContent`` declaration gives: its
    listed items with their owner and account, narrowed by the tag, account and owner fields."""
    related = [name for name in (model.owner_field, model.account_field) if name]

    def items(filters: StreamFilter) -> QuerySet:
        queryset = model.listed().select_related(*related)
        for value, field in (
            (filters.tag, model.tags_field),
            (filters.account, model.account_field),
            (filters.author, model.owner_field),
        ):
            if value is not None:
                queryset = queryset.filter(**{field: value}) if field else queryset.none()
        return queryset

    return items


class StreamPage:
    """One page of a stream: which items it shows, read once and cached until a post, tip or
    video is added, changed or removed; the items' cards come from ``knowledge.cards``, and the
    rows only for cards not cached."""

    cache_name = caching.STREAM

    def __init__(self, filters: StreamFilter, before, limit: int, request=None):
        self.filters, self.before, self.limit, self.request = filters, before, limit, request

    @cached_property
    def _keys(self) -> tuple[list[tuple[int, int]], str | None]:
        return cached(self.cache_name, self._read_keys, key=self.cache_key)

    def _read_keys(self) -> tuple[list[tuple[int, int]], str | None]:
        chosen, more = _stream_keys(self.filters, self.before, self.limit)
        cursor = chosen[-1][0].isoformat() if more and chosen else None
        return [(content_type_id, pk) for _, pk, content_type_id in chosen], cursor

    def card_keys(self) -> list[tuple[int, int]]:
        """The page's items as ``(content type id, pk)``, newest first."""
        return self._keys[0]

    @property
    def next_cursor(self) -> str | None:
        return self._keys[1]

    def fetch(self, keys) -> dict[tuple[int, int], object]:
        """The items for ``keys``, with what their cards show: one query per kind, and three more."""
        found = {}
        for source in _sources:
            queryset = source.items(self.filters)
            content_type_id = ContentType.objects.get_for_model(queryset.model).pk
            ids = [pk for kind, pk in keys if kind == content_type_id]
            if ids:
                found.update(((content_type_id, obj.pk), obj) for obj in queryset.filter(pk__in=ids))
        annotate_for_cards(list(found.values()), self.request)
        return found

    @property
    def cache_key(self) -> str:
        """Which page of which stream: the filter, cursor and size."""
        filters = self.filters
        parts = [
            getattr(filters.tag, "pk", ""),
            getattr(filters.account, "pk", ""),
            getattr(filters.author, "pk", ""),
            self.before.isoformat() if self.before else "",
            self.limit,
        ]
        return ":".join(str(part) for part in parts)


def parse_cursor(value: str | None) -> datetime.datetime | None:
    if not value:
        return None
    try:
        moment = parse_datetime(value.replace(" ", "+"))  # an unencoded "+00:00" arrives as a space
    except ValueError:
        return None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment, datetime.UTC)
    return moment


def stream(
    *,
    filters: StreamFilter = StreamFilter(),
    before: datetime.datetime | None = None,
    limit: int = STREAM_PAGE_SIZE,
    request=None,
) -> StreamPage:
    """One page of everything, newest first (read when its cards render)."""
    return StreamPage(filters, before, limit, request)


def _stream_keys(filters: StreamFilter, before, limit: int) -> tuple[list[tuple], bool]:
    """The page's ``(time, pk, content type id)``, newest first, and whether more follow.

    ``limit + 1`` keys from each kind, merged and cut: one query per kind.
    """
    keys = []
    for source in _sources:
        queryset = source.items(filters)
        content_type_id = ContentType.objects.get_for_model(queryset.model).pk
        if before is not None:
            queryset = queryset.filter(**{f"{source.time_field}__lt": before})
        rows = queryset.order_by(f"-{source.time_field}", "-pk").values_list(source.time_field, "pk")
        keys.extend((moment, pk, content_type_id) for moment, pk in rows[: limit + 1])
    keys.sort(reverse=True)
    return keys[:limit], len(keys) > limit


@dataclass(frozen=True)
class TagLink:
    name: str
    slug: str
    url: str


class _Links:
    """URLs for many cards from one ``reverse()`` per kind (a reverse per card adds up)."""

    MARKER = "0000000001"
    SAFE = "!$&'()*+,;=~:@-._"  # what reverse() leaves unquoted in a path segment

    def __init__(self):
        self._parts: dict[str, list[str]] = {}

    def __call__(self, name: str, *args) -> str:
        if name not in self._parts:
            self._parts[name] = reverse(name, args=[self.MARKER] * len(args)).split(self.MARKER)
        parts = self._parts[name]
        pieces = [parts[0]]
        for arg, part in zip(args, parts[1:], strict=True):
            pieces.append(f"{quote(str(arg), safe=self.SAFE)}{part}")
        return "".join(pieces)


def annotate_for(user, objects: Sequence, request=None) -> None:
    """Sets what cards show on each object, in three queries for any number of objects.

    ``marked_helpful``, ``comment_count``, ``card_tags`` (tips), ``card_url`` (computed with the
    request, so Wagtail finds the site root paths on it rather than in the cache), and the
    ``helpful_url``, ``author_url`` and ``account_url`` the card links to.
    """
    marked = helpful_ids(user, objects)
    counts = comment_counts(objects)
    links = _Links()
    tips = [obj for obj in objects if isinstance(obj, TipPage)]
    tags: dict[int, list[TagLink]] = {}
    if tips:
        rows = (
            TipPageTag.objects.filter(content_object_id__in=[tip.pk for tip in tips])
            .order_by("tag__name")
            .values_list("content_object_id", "tag__name", "tag__slug")
        )
        for tip_id, name, slug in rows:
            tags.setdefault(tip_id, []).append(TagLink(name, slug, links("tag_detail", slug)))
    for obj in objects:
        content_type_id = ContentType.objects.get_for_model(obj).pk
        key = (content_type_id, obj.pk)
        obj.marked_helpful = key in marked
        obj.comment_count = counts.get(key, 0)
        obj.content_type_id_for_reactions = content_type_id
        obj.helpful_url = links("helpful_toggle", content_type_id, obj.pk)
        owner_field, account_field = (obj.owner_field, obj.account_field) if contracts.declares(obj) else ("", "")
        author = getattr(obj, owner_field, None) if owner_field in _loaded(obj) else None
        obj.author_url = links("profile", author.username) if author is not None else ""
        account = getattr(obj, account_field, None) if account_field in _loaded(obj) else None
        obj.account_url = links("account_detail", account.pk) if account is not None else ""
        if isinstance(obj, TipPage):
            obj.card_tags = tags.get(obj.pk, [])
        if isinstance(obj, Page):
            obj.card_url = obj.get_url(request)
        elif not hasattr(obj, "card_url"):
            obj.card_url = obj.get_absolute_url()


def annotate_for_cards(objects: Sequence, request=None) -> None:
    """``annotate_for`` without a reader: cached cards leave each reader's marks to be filled in."""
    annotate_for(AnonymousUser(), objects, request)


def _loaded(obj) -> set[str]:
    """Related objects already fetched with ``select_related`` (reading others costs a query)."""
    return set(getattr(obj, "_state", None).fields_cache) if hasattr(obj, "_state") else set()


def comment_counts(objects: Sequence) -> dict[tuple[int, int], int]:
    commentable = [obj for obj in objects if contracts.declares(obj) and obj.card_shows_comment_count]
    if not commentable:
        return {}
    by_type: dict[int, list[str]] = {}
    for obj in commentable:
        by_type.setdefault(ContentType.objects.get_for_model(obj).pk, []).append(str(obj.pk))
    query = Q()
    for content_type_id, ids in by_type.items():
        query |= Q(content_type_id=content_type_id, object_pk__in=ids)
    rows = (
        XtdComment.objects.filter(query, is_public=True, is_removed=False)
        .values_list("content_type_id", "object_pk")
        .annotate(total=Count("pk"))
    )
    return {(content_type_id, int(object_pk)): total for content_type_id, object_pk, total in rows}


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


@dataclass(frozen=True)
class TipFilters:
    tag: str = ""
    account: str = ""
    industry: str = ""
    stage: str = ""
    author: str = ""
    sort: str = "newest"


TIP_SORTS = {
    "newest": ("Newest", ("-first_published_at", "-pk")),
    # Ties break on the newest id: one index holds the whole order (tip_helpful_order).
    "helpful": ("Most helpful", ("-helpful_count", "-page_ptr_id")),
    "viewed": ("Most viewed", ("-view_count", "-page_ptr_id")),
}


class CountCachedPaginator(Paginator):
    """Counting every live tip scans them all; the count is cached like trending and featured."""

    def __init__(self, *args, key: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.key = key

    @cached_property
    def count(self) -> int:
        digest = hashlib.sha1(self.key.encode()).hexdigest()
        return cached(caching.TIP_COUNTS, self._count, key=f"count:{digest}")

    def _count(self) -> int:
        return self.object_list.count()


def filtered_tips(filters: TipFilters):
    """The tips index: listed tips narrowed by tag, account, industry, stage and author, sorted."""
    tips = TipPage.objects.listed().for_cards()
    if filters.tag:
        tips = tips.filter(tags__slug=filters.tag)
    if filters.account:
        if filters.account.isdigit():
            tips = tips.filter(account_id=int(filters.account))
        else:
            tips = tips.filter(account__name__iexact=filters.account)
    if filters.industry:
        tips = tips.filter(industry__iexact=filters.industry)
    if filters.stage:
        tips = tips.filter(stage=filters.stage)
    if filters.author:
        tips = tips.filter(author__username=filters.author)
    _, ordering = TIP_SORTS.get(filters.sort, TIP_SORTS["newest"])
    return tips.order_by(*ordering)


class TipCards:
    """One page of the tips index as cards (see ``knowledge.cards``): which tips it shows is
    cached until a tip changes (or, sorted by marks, a helpful mark); rows only for cards missing."""

    def __init__(self, page, filters: TipFilters, request):
        self.page, self.filters, self.request = page, filters, request

    @property
    def cache_name(self) -> str:
        return caching.TIP_KEYS if self.filters.sort not in {"helpful", "viewed"} else caching.TIP_KEYS_RANKED

    def card_keys(self) -> list[tuple[int, int]]:
        return cached(self.cache_name, self._read_keys, key=self.cache_key)

    def _read_keys(self) -> list[tuple[int, int]]:
        content_type_id = ContentType.objects.get_for_model(TipPage).pk
        return [(content_type_id, pk) for pk in self.page.object_list.values_list("pk", flat=True)]

    def fetch(self, keys) -> dict[tuple[int, int], TipPage]:
        tips = list(TipPage.objects.for_cards().filter(pk__in=[pk for _, pk in keys]))
        annotate_for_cards(tips, self.request)
        content_type_id = ContentType.objects.get_for_model(TipPage).pk
        return {(content_type_id, tip.pk): tip for tip in tips}

    @property
    def cache_key(self) -> str:
        digest = hashlib.sha1(repr(self.filters).encode()).hexdigest()
        return f"tips:{digest}:{self.page.number}"
