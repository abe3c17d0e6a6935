"""View counts sent by the browser after a page shows, and written in batches.

A GET of a tip or a video writes nothing: once the page has shown, ``huddle.js`` posts a small
beacon, ``count_view`` checks it (signed in, may see the item, not its author, not seen in the
last ``REPEAT_SECONDS``) and queues it in a write buffer (``knowledge.writebuffer``).
``record_views`` writes a batch in a few statements: the ``ContentView`` rows (one per user,
item and day), the ``view_count`` counters, and a ``viewed`` signal per new view (the
leaderboard's activity event).
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Model, Q
from django.utils import timezone

from . import signals, writebuffer
from .models import ContentView
from .reactions import author_id_of

# A second beacon for the same item within this time (a reload, a back button) is not queued.
REPEAT_SECONDS = 3600


class PendingView(NamedTuple):
    user_id: int
    content_type_id: int
    object_id: int
    day: str  # ISO date: the day the view happened, not the day it is written


def count_view(user, obj: Model) -> bool:
    """Queues one view of ``obj`` by ``user``; False when it does not count (see the module)."""
    if not user.is_authenticated or obj.pk is None or author_id_of(obj) == user.pk:
        return False
    if getattr(obj, "retired", False) or not getattr(obj, "live", True):
        return False
    content_type_id = ContentType.objects.get_for_model(obj).pk
    day = timezone.localdate().isoformat()
    if not cache.add(f"huddle:views:seen:{user.pk}:{content_type_id}:{obj.pk}:{day}", 1, REPEAT_SECONDS):
        return False
    view_buffer.add(PendingView(user.pk, content_type_id, obj.pk, day))
    writebuffer.flush_if_due()
    return True


def record_views(views: Iterable[PendingView]) -> int:
    """Writes views in one transaction: rows not there yet, counters, one ``viewed`` each."""
    views = sorted({PendingView(*view) for view in views})
    if not views:
        return 0
    objects = _objects_of(views)
    users = get_user_model()._default_manager.in_bulk({v.user_id for v in views})
    # An item or a user deleted since the view leaves nothing to count.
    views = [v for v in views if (v.content_type_id, v.object_id) in objects and v.user_id in users]
    if not views:
        return 0
    with transaction.atomic():
        existing = set(
            ContentView.objects.filter(
                _any_of(views), user_id__in={v.user_id for v in views}, day__in={v.day for v in views}
            ).values_list("user_id", "content_type_id", "object_id", "day")
        )
        new = [v for v in views if (v.user_id, v.content_type_id, v.object_id, _date(v.day)) not in existing]
        rows = [
            ContentView(user_id=v.user_id, content_type_id=v.content_type_id, object_id=v.object_id, day=v.day)
            for v in new
        ]
        ContentView.objects.bulk_create(rows, ignore_conflicts=True)
        for key, times in Counter((v.content_type_id, v.object_id) for v in new).items():
            model = type(objects[key])
            if any(field.name == "view_count" for field in model._meta.concrete_fields):
                model._default_manager.filter(pk=key[1]).update(view_count=F("view_count") + times)
        for view in new:
            obj = objects[(view.content_type_id, view.object_id)]
            signals.viewed.send(sender=type(obj), instance=obj, user=users[view.user_id])
    return len(new)


def _date(iso_day: str) -> datetime.date:
    return datetime.date.fromisoformat(iso_day)


def _ids_by_type(views: list[PendingView]) -> dict[int, set[int]]:
    by_type: dict[int, set[int]] = defaultdict(set)
    for view in views:
        by_type[view.content_type_id].add(view.object_id)
    return by_type


def _any_of(views: list[PendingView]) -> Q:
    query = Q()
    for content_type_id, ids in _ids_by_type(views).items():
        query |= Q(content_type_id=content_type_id, object_id__in=ids)
    return query


def _objects_of(views: list[PendingView]) -> dict[tuple[int, int], Model]:
    """The viewed items, one query per kind (an item deleted since is left out)."""
    found = {}
    for content_type_id, ids in _ids_by_type(views).items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            continue
        for pk, obj in model._default_manager.in_bulk(ids).items():
            found[(content_type_id, pk)] = obj
    return found


view_buffer = writebuffer.register("views", record_views)
