"""Which searches people ran, kept through a write buffer so a search page writes nothing."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from knowledge import writebuffer

from .models import SearchLog


def log_search(query: str, *, result_count: int, user) -> None:
    """Queues one search for marketing's "popular searches" report."""
    user_id = user.pk if user.is_authenticated else None
    searches.add((query[:255], SearchLog.normalize(query), result_count, user_id, timezone.now().isoformat()))


def write_search_logs(rows: list) -> int:
    user_ids = {row[3] for row in rows if row[3] is not None}
    # Someone deleted since their search: kept as an anonymous search, like SET_NULL would.
    known = set(get_user_model()._default_manager.filter(pk__in=user_ids).values_list("pk", flat=True))
    logs = [
        SearchLog(
            query=query,
            normalized_query=normalized,
            result_count=result_count,
            user_id=user_id if user_id in known else None,
            created_at=datetime.datetime.fromisoformat(created_at),
        )
        for query, normalized, result_count, user_id, created_at in rows
    ]
    SearchLog.objects.bulk_create(logs)
    return len(logs)


searches = writebuffer.register("searches", write_search_logs)
