"""What the feed, tag, account, profile and tips index pages list, each in a fixed number of queries.

``streams`` merges every content kind newest first (other apps add theirs with
``register_stream_source``), ``annotations`` sets what cards show besides their own rows,
``highlights`` picks trending and featured items, and ``tips_index`` filters, sorts and pages
the tips index. The listings read the content models; the index pages that show them import
them, never the other way round. Every name is importable from ``knowledge.listings``.
"""

from .annotations import TagLink, annotate_for, annotate_for_cards, comment_counts
from .highlights import (
    CACHE_SECONDS,
    TRENDING_COUNT,
    TRENDING_DAYS,
    featured,
    featured_cached,
    trending,
    trending_cached,
)
from .streams import (
    POPULAR_TAG_ITEMS,
    STREAM_PAGE_SIZE,
    StreamFilter,
    StreamPage,
    StreamSource,
    contract_source,
    micropost_source,
    parse_cursor,
    register_stream_source,
    stream,
    stream_sources,
    tip_source,
)
from .tips_index import TIP_SORTS, TIPS_PER_PAGE, CountCachedPaginator, TipCards, TipFilters, filtered_tips

__all__ = [
    "CACHE_SECONDS",
    "POPULAR_TAG_ITEMS",
    "STREAM_PAGE_SIZE",
    "TIPS_PER_PAGE",
    "TIP_SORTS",
    "TRENDING_COUNT",
    "TRENDING_DAYS",
    "CountCachedPaginator",
    "StreamFilter",
    "StreamPage",
    "StreamSource",
    "TagLink",
    "TipCards",
    "TipFilters",
    "annotate_for",
    "annotate_for_cards",
    "comment_counts",
    "contract_source",
    "featured",
    "featured_cached",
    "filtered_tips",
    "micropost_source",
    "parse_cursor",
    "register_stream_source",
    "stream",
    "stream_sources",
    "tip_source",
    "trending",
    "trending_cached",
]
