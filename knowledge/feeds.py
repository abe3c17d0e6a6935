"""An Atom feed of new tips for people who read in a feed reader."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed

from .models import TipPage


class LatestTipsFeed(Feed):
    feed_type = Atom1Feed
    title = "Huddle: new tips"
    subtitle = "Account tips shared by the team, newest first."
    link = "/tips/"

    def items(self):
        return (
            TipPage.objects.listed()
            .select_related("author", "account")
            .defer_streamfields()
            .order_by("-first_published_at")[:30]
        )

    def item_title(self, item: TipPage) -> str:
        return item.title

    def item_description(self, item: TipPage) -> str:
        return item.summary

    def item_link(self, item: TipPage) -> str:
        return item.url

    def item_author_name(self, item: TipPage) -> str:
        return (item.author.get_full_name() or item.author.username) if item.author else ""

    def item_pubdate(self, item: TipPage):
        return item.first_published_at

    def item_updateddate(self, item: TipPage):
        return item.last_published_at

    def item_categories(self, item: TipPage):
        return [item.get_stage_display()] if item.stage else []
