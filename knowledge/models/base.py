"""The base of Huddle's pages."""

from typing import ClassVar

from django.utils import timezone
from wagtail.models import Page, PageViewRestriction

from config import caching

from ..contracts import SharedContent


class HuddlePage(Page):
    """Base for Huddle's pages: comments-xtd and feeds need ``get_absolute_url``."""

    class Meta:
        abstract = True

    def get_absolute_url(self):
        return self.get_url()

    def get_view_restrictions(self):
        """Wagtail looks for view restrictions on the page and its ancestors on every view (two
        queries); while no page has one, the cache says so (``signal_handlers`` forget it on a change)."""
        if not caching.cached(
            caching.VIEW_RESTRICTIONS, PageViewRestriction.objects.exists, timeout=caching.access_seconds()
        ):
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()


class SharedPage(SharedContent, HuddlePage):
    """A page people share (a tip, a coaching video): shared content whose counters belong to the
    live page, and which the streams date by its first publication."""

    time_field = "first_published_at"
    # Counters belong to the live page, not to a revision being published.
    page_fields_kept_across_revisions: ClassVar[tuple[str, ...]] = ("helpful_count", "view_count")

    class Meta:
        abstract = True

    def with_content_json(self, content):
        page = super().with_content_json(content)
        for name in self.page_fields_kept_across_revisions:
            setattr(page, name, getattr(self, name))
        return page

    @property
    def feed_time(self):
        return self.first_published_at or self.latest_revision_created_at or timezone.now()
