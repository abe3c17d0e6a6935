"""What the header shows each signed-in person: unread count, first-run question, must-read posts.

All of it comes from one cached entry per person, filled by one query on a miss.
"""

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce

from .models import AnnouncementReceipt, Notification, NotificationSettings

HEADER_KEY = "notifications:header:{}"


def header_state(user) -> dict:
    """{"unread", "first_run", "must_read", "must_read_count"} for ``user``: from the cache, else one
    query. ``must_read`` is the oldest announcement they have not read yet ({"pk", "title", "body"})."""
    key = HEADER_KEY.format(user.pk)
    state = cache.get(key)
    if state is None:
        unread = (
            Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True, in_app=True)
            .order_by()
            .values("recipient")
            .annotate(n=Count("pk"))
            .values("n")
        )
        done = NotificationSettings.objects.filter(user=OuterRef("pk"), first_run_done=True)
        to_read = AnnouncementReceipt.objects.filter(user=OuterRef("pk"), read_at__isnull=True)
        oldest = to_read.order_by("announcement__created_at", "announcement_id")
        count_to_read = to_read.order_by().values("user").annotate(n=Count("pk")).values("n")
        row = (
            get_user_model()
            .objects.filter(pk=user.pk)
            .annotate(
                unread=Coalesce(Subquery(unread), 0),
                first_run_done=Exists(done),
                must_read_count=Coalesce(Subquery(count_to_read), 0),
                must_read_pk=Subquery(oldest.values("announcement_id")[:1]),
                must_read_title=Subquery(oldest.values("announcement__title")[:1]),
                must_read_body=Subquery(oldest.values("announcement__body")[:1]),
            )
            .values("unread", "first_run_done", "must_read_count", "must_read_pk", "must_read_title", "must_read_body")
            .first()
        ) or {"unread": 0, "first_run_done": True, "must_read_count": 0, "must_read_pk": None}
        must_read = None
        if row["must_read_pk"] is not None:
            must_read = {"pk": row["must_read_pk"], "title": row["must_read_title"], "body": row["must_read_body"]}
        state = {
            "unread": row["unread"],
            "first_run": not row["first_run_done"],
            "must_read": must_read,
            "must_read_count": row["must_read_count"],
        }
        cache.set(key, state, 3600)
    return state


def forget_header(*user_ids: int) -> None:
    cache.delete_many([HEADER_KEY.format(pk) for pk in user_ids])
