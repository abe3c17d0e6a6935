"""Demo curation: featured tips, pinned collections, a stale and a retired tip, the guidelines."""

import datetime

from django.utils import timezone
from wagtail.models import Site

from .. import demo_content
from ..models import FeaturedCollection, FeaturedCollectionItem, KnowledgeSettings, TipPage
from .context import SeedContext


def seed_curation(context: SeedContext) -> None:
    """Featured tips, pinned collections, a few stale and retired tips, the posting guidelines."""
    by_title = {
        tip.title: tip
        for tip in TipPage.objects.filter(
            title__in=[template["title"] for template in demo_content.TIPS]
        ).defer_streamfields()
    }
    TipPage.objects.filter(title__in=demo_content.FEATURED).update(featured=True)
    for position, (title, description, tip_titles) in enumerate(demo_content.COLLECTIONS):
        collection, created = FeaturedCollection.objects.get_or_create(
            title=title, defaults={"description": description, "position": position}
        )
        if created:
            FeaturedCollectionItem.objects.bulk_create(
                [
                    FeaturedCollectionItem(collection=collection, tip=by_title[name], sort_order=order)
                    for order, name in enumerate(tip_titles)
                    if name in by_title
                ]
            )
    stale = by_title.get("Executive sponsor e-mail that gets read")
    if stale is not None:
        TipPage.objects.filter(pk=stale.pk).update(verified_until=timezone.localdate() - datetime.timedelta(days=3))
    retired, replacement = (
        by_title.get("Qualify out early and politely"),
        by_title.get("Find a champion before the demo"),
    )
    if retired is not None:
        TipPage.objects.filter(pk=retired.pk).update(retired=True, replaced_by=replacement)
    for site in Site.objects.all():
        knowledge_settings = KnowledgeSettings.for_site(site)
        if not knowledge_settings.posting_guidelines:
            knowledge_settings.posting_guidelines = demo_content.GUIDELINES
            knowledge_settings.save()
