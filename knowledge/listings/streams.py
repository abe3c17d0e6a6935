"""The home, tag, account and profile streams: every content kind merged newest first.

Each kind is a *stream source*: its listed items, optionally about one tag, account or author,
and the time field they sort by. Other apps (coaching videos) add theirs with
``register_stream_source``.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import cached_property
from taggit.models import Tag

from config import caching
from config.caching import cached

from ..models.microposts import Micropost, MicropostTag
from ..models.tips import TipPage, TipPageTag
from .annotations import annotate_for_cards

STREAM_PAGE_SIZE = 20


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

    def __init__(self, filters: StreamFilter, before, limit: int, request=None):
        self.filters, self.before, self.limit, self.request = filters, before, limit, request

    @property
    def cache_name(self) -> str:
        """A tag's stream has a version of its own (``knowledge.signal_handlers`` moves it): a
        post with other tags leaves it kept, where rebuilding it read about 40 ms of rows."""
        only_tag = self.filters.tag is not None and self.filters.account is None and self.filters.author is None
        return caching.tag_stream_name(self.filters.tag.pk) if only_tag else caching.STREAM

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
