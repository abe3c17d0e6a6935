"""The tips index: tips filtered and sorted, counted and shown a page of cards at a time."""

import hashlib
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from config import caching
from config.caching import cached

from ..models.tips import TipPage
from .annotations import annotate_for_cards

TIPS_PER_PAGE = 20


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
