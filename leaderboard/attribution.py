"""Influenced revenue: a won deal credits the tips and videos about its account that its owner
viewed in the window before the close date; each credited item's author sees the deal's amount."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models.expressions import RawSQL

from config import caching

from .models import ActivityEvent, Deal

RULE = (
    "A won deal counts as influenced by a tip or video when the deal's owner viewed it in the "
    "{days} days before the close date and it is about the deal's account (a video counts when "
    "it is linked or tagged to the account). Every author of such an item is credited with the "
    "deal's full amount once, however many of their items the owner read."
)


def _window_sql() -> tuple[str, str]:
    """SQL for the first and the after-last moment of a deal's window, with one %s for the days."""
    if connection.vendor == "postgresql":
        return "d.close_date - (%s * INTERVAL '1 day')", "d.close_date + INTERVAL '1 day'"
    # SQLite keeps datetimes as ISO text, which compares correctly against an ISO date.
    return "date(d.close_date, '-' || %s || ' days')", "date(d.close_date, '+1 day')"


def _join_sql(extra_where: str, *, one_author: bool = False) -> str:
    start, after = _window_sql()
    # CROSS JOIN makes SQLite loop over the (few) won deals and look their owners' views up
    # in event_attribution, instead of walking every view; PostgreSQL plans it as any join.
    # For one author it starts from the author's own events instead (their owner index) and
    # looks each viewer's deals up by owner and account: a rep page pays for one rep.
    tables = [f"{Deal._meta.db_table} d", f"{ActivityEvent._meta.db_table} e"]
    first, second = reversed(tables) if one_author else tables
    return f"""
        FROM {first}
        CROSS JOIN {second}
        WHERE e.actor_id = d.owner_id AND e.account_id = d.account_id
          AND d.status = %s AND e.verb = %s
          AND e.owner_id IS NOT NULL AND e.owner_id <> d.owner_id
          AND e.created_at >= {start} AND e.created_at < {after}
          {extra_where}
    """


def _base_params(window_days: int) -> list:
    # Parameter order follows _join_sql: status, verb, then the window's days.
    return [Deal.Status.WON, ActivityEvent.Verb.CONTENT_VIEWED, window_days]


@dataclass
class Influence:
    amount: Decimal = Decimal(0)
    deals: int = 0
    # Influenced deals per currency that no exchange rate converts: not in ``amount``.
    unconverted: dict[str, int] = field(default_factory=dict)


def influenced_by_author(start: date, end: date, *, window_days: int) -> dict[int, Influence]:
    """Per author: the won deals closed in the period that their items influenced (one query).

    Amounts are in the reporting currency; a deal without a rate is counted, not added.
    """
    sql = f"""
        SELECT author_id, currency, SUM(amount_reporting), COUNT(*),
               SUM(CASE WHEN amount_reporting IS NULL THEN 1 ELSE 0 END) FROM (
          SELECT DISTINCT e.owner_id AS author_id, d.id AS deal_id,
                 d.amount_reporting AS amount_reporting, d.currency AS currency
          {_join_sql("AND d.close_date >= %s AND d.close_date <= %s")}
        ) credited GROUP BY author_id, currency
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*_base_params(window_days), start, end])
        result: dict[int, Influence] = {}
        for author, currency, amount, count, unconverted in cursor.fetchall():
            influence = result.setdefault(author, Influence())
            influence.amount += Decimal(amount or 0)
            influence.deals += count
            if unconverted:
                influence.unconverted[currency] = int(unconverted)
        return result


@dataclass
class InfluencedDeal:
    deal: Deal
    items: list = field(default_factory=list)


def deals_influenced_by_author(author_id: int, start: date, end: date, *, window_days: int) -> list[InfluencedDeal]:
    """The deals behind an author's influenced revenue, each with the items that earned it."""
    rows = _influence_rows(author_id, start, end, window_days=window_days)
    items = _items_in(rows)
    deals = Deal.objects.select_related("owner", "account").in_bulk({row[0] for row in rows})
    result: dict[int, InfluencedDeal] = {}
    for deal_id, type_id, object_id in rows:
        entry = result.setdefault(deal_id, InfluencedDeal(deals[deal_id]))
        item = items.get((type_id, object_id))
        if item is not None and item not in entry.items:
            entry.items.append(item)
    return sorted(result.values(), key=lambda entry: (entry.deal.close_date, entry.deal.pk), reverse=True)


def _influence_rows(
    author_id: int, start: date, end: date, *, window_days: int
) -> list[tuple[int, int | None, int | None]]:
    """(deal id, item content type id, item id) for every credit an author earned in the period."""
    with connection.cursor() as cursor:
        cursor.execute(*author_influence_sql(author_id, start, end, window_days=window_days))
        return cursor.fetchall()


def author_influence_sql(author_id: int, start: date, end: date, *, window_days: int) -> tuple[str, list]:
    """The query behind one author's credits, and its parameters (answered from the
    ``event_owner_influence`` index alone)."""
    sql = f"""
        SELECT DISTINCT d.id, e.content_type_id, e.object_id
        {_join_sql("AND e.owner_id = %s AND d.close_date >= %s AND d.close_date <= %s", one_author=True)}
    """
    return sql, [*_base_params(window_days), author_id, start, end]


def _items_in(rows) -> dict[tuple[int, int], object]:
    """The tips and videos named by influence rows, one query per kind."""
    items_by_type = defaultdict(set)
    for _deal_id, type_id, object_id in rows:
        if type_id:
            items_by_type[type_id].add(object_id)
    items = {}
    for type_id, ids in items_by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        for item in model._default_manager.filter(pk__in=ids):
            items[(type_id, item.pk)] = item
    return items


@dataclass
class InfluenceCount:
    """An author's influence told without money: how many won deals, and which items."""

    deals: int = 0
    items: list[tuple[object, int]] = field(default_factory=list)  # (item, its won deals)


def influence_count_for_author(author_id: int, start: date, end: date, *, window_days: int) -> InfluenceCount:
    """What people who may not see revenue learn about an author's influence: counts only.

    No deal is loaded, so no amount can reach the page.
    """
    rows = _influence_rows(author_id, start, end, window_days=window_days)
    items = _items_in(rows)
    deals_per_item: dict[object, set[int]] = defaultdict(set)
    for deal_id, type_id, object_id in rows:
        item = items.get((type_id, object_id))
        if item is not None:
            deals_per_item[item].add(deal_id)
    return InfluenceCount(
        deals=len({deal_id for deal_id, _, _ in rows}),
        items=sorted(
            ((item, len(ids)) for item, ids in deals_per_item.items()),
            key=lambda pair: (-pair[1], str(pair[0]).lower()),
        ),
    )


def count_deals_influenced_by_item(item, *, window_days: int) -> int:
    """How many won deals this tip or video influenced, for readers who may not see amounts."""
    return Deal.objects.filter(pk__in=_influenced_by_item_sql(item, window_days)).count()


def deals_influenced_by_item(item, *, window_days: int) -> list[Deal]:
    """Every won deal (any time) that this tip or video influenced, newest first (one query)."""
    return list(
        Deal.objects.filter(pk__in=_influenced_by_item_sql(item, window_days))
        .select_related("owner")
        .order_by("-close_date", "-pk")
    )


def _influenced_by_item_sql(item, window_days: int) -> RawSQL:
    """The ids of the won deals an item influenced, as a subquery."""
    content_type = ContentType.objects.get_for_model(item)
    start, after = _window_sql()
    # Starts from this item's own views (event_target index), not from every won deal:
    # a tip page pays for its readers, however many deals the CRM holds.
    influenced = f"""
        SELECT d.id
        FROM {ActivityEvent._meta.db_table} e
        CROSS JOIN {Deal._meta.db_table} d
        WHERE e.content_type_id = %s AND e.object_id = %s
          AND e.actor_id = d.owner_id AND e.account_id = d.account_id
          AND d.status = %s AND e.verb = %s
          AND e.owner_id IS NOT NULL AND e.owner_id <> d.owner_id
          AND e.created_at >= {start} AND e.created_at < {after}
    """
    return RawSQL(influenced, [content_type.pk, item.pk, *_base_params(window_days)])


# What an item's page shows about its influence is kept this long at most; a deal or the
# scoring settings changing drops every kept copy at once (``influence_changed``). Only a new
# view of an already won deal's owner waits out the lag.
ITEM_CACHE_SECONDS = 60


def cached_for_item(item, variant: str, build: Callable[[], str]) -> str:
    """``build()`` for this item and variant, from the cache while no deal or weight changed.

    The entry carries the version it was built under and comes back in the same round trip
    as the current version, so a reader after a change never gets the old figure.
    """
    content_type_id = ContentType.objects.get_for_model(item).pk
    key = f"{content_type_id}:{item.pk}:{variant}"
    return caching.cached(caching.INFLUENCE, build, key=key, timeout=ITEM_CACHE_SECONDS)


# The board's figures per period (revenue per owner, influence per author) are kept as long;
# deal totals do not depend on views, so they wait for a change instead.
BOARD_DEALS_SECONDS = 600


def cached_for_board(key: str, build: Callable[[], object], *, timeout: int = BOARD_DEALS_SECONDS):
    """``build()`` for the board, kept until a deal, a rate or the scoring settings change."""
    return caching.cached(caching.INFLUENCE, build, key=f"board:{key}", timeout=timeout)


def cached_influence_by_author(start: date, end: date, *, window_days: int) -> dict[int, Influence]:
    """``influenced_by_author``, kept like an item's figure: a new view waits out the lag."""
    return cached_for_board(
        f"influence:{start}:{end}:{window_days}",
        lambda: influenced_by_author(start, end, window_days=window_days),
        timeout=ITEM_CACHE_SECONDS,
    )


def influence_changed() -> None:
    """Every kept influence figure is stale."""
    caching.invalidate(caching.INFLUENCE)


def deals_with_influence(deal_ids: list[int], *, window_days: int) -> set[int]:
    """Which of these deals some colleague's item influenced (for marking rows in a drill-down)."""
    if not deal_ids:
        return set()
    placeholders = ", ".join(["%s"] * len(deal_ids))
    sql = f"SELECT DISTINCT d.id {_join_sql(f'AND d.id IN ({placeholders})')}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*_base_params(window_days), *deal_ids])
        return {row[0] for row in cursor.fetchall()}
