"""Marketing's curation: verify and retire tips, from the admin dashboard and bulk actions."""

from collections.abc import Iterable

from .models import TipPage, default_verified_until


def verify_tips(tips: Iterable[TipPage]) -> int:
    """Marks tips checked today: each is fresh again for TIP_VERIFICATION_DAYS."""
    ids = [tip.pk for tip in tips]
    return TipPage.objects.filter(pk__in=ids).curate(verified_until=default_verified_until())


def retire_tips(tips: Iterable[TipPage], *, replaced_by: TipPage | None = None) -> int:
    """Takes tips out of feeds and search; their URLs answer with a notice (and the replacement)."""
    ids = [tip.pk for tip in tips]
    updates = {"retired": True}
    if replaced_by is not None:
        updates["replaced_by"] = replaced_by
    count = TipPage.objects.filter(pk__in=ids).curate(**updates)
    _reindex(ids)
    return count


def _reindex(ids: list[int]) -> None:
    """update() skips post_save, so the search index hears about the change here."""
    from wagtail.search.index import insert_or_update_object

    for tip in TipPage.objects.filter(pk__in=ids):
        insert_or_update_object(tip)
