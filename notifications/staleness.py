"""Tells authors when a tip of theirs goes stale (its verification ran out): once per lapse."""

import datetime

from django_tasks import task

from .models import Kind
from .recording import notify


def tell_stale_authors(today: datetime.date | None = None) -> int:
    """Notifies the author of each stale tip not told of this lapse yet; returns how many were told.

    The key names the tip and the date its verification ran out, so a tip verified again and then
    lapsing again is told of anew, and running this every few minutes tells nobody twice.
    """
    from knowledge.models import TipPage

    told = 0
    stale = TipPage.objects.stale(today).filter(author__isnull=False, author__is_active=True).select_related("author")
    for tip in stale.defer_streamfields():
        rows = notify(
            [tip.author],
            Kind.STALE,
            summary=f"your tip “{tip.title}” may be out of date: its verification ran out on "
            f"{tip.verified_until:%-d %b %Y}",
            url=tip.url or "/",
            target=tip,
            once=f"stale:{tip.pk}:{tip.verified_until.isoformat()}",
        )
        told += bool(rows)
    return told


@task()
def tell_stale_authors_task() -> int:
    """Queued by ``manage.py send_notifications``."""
    return tell_stale_authors()
