"""The base of Huddle's pages."""

from wagtail.models import Page, PageViewRestriction

from config import caching


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
