"""Autocomplete suggestions for the search box: tip titles and tags that start with what was typed."""

from taggit.models import Tag


def suggestions_for(prefix: str, *, limit: int = 8) -> list[str]:
    from knowledge.models import TipPage

    prefix = " ".join(prefix.split())[:100]
    if len(prefix) < 2:
        return []
    titles = [tip.title for tip in TipPage.objects.listed().autocomplete(prefix)[:limit]]
    tags = list(Tag.objects.filter(name__istartswith=prefix).order_by("name").values_list("name", flat=True)[:3])
    return list(dict.fromkeys(titles + [f"#{tag}" for tag in tags]))[:limit]
