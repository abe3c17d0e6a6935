"""The index pages: the home feed and the tips index, which list what is shared below them.

They import the listings they show; the listings read the content models (tips, microposts,
reactions, collections) and never these pages, so nothing here imports lazily.
"""

from config import caching

from ..forms import MicropostForm
from ..listings.highlights import featured_cached, trending_cached
from ..listings.streams import parse_cursor, stream
from ..listings.tips_index import TIP_SORTS, TIPS_PER_PAGE, CountCachedPaginator, TipCards, TipFilters, filtered_tips
from .accounts import INDUSTRY_CHOICES, Stage
from .base import HuddlePage
from .tips import TipPage


class HomePage(HuddlePage):
    """The feed: the micropost box, featured items and everything new."""

    max_count = 1
    subpage_types = ["knowledge.TipIndexPage", "coaching.CoachingIndexPage"]

    class Meta:
        verbose_name = "home page"

    def route(self, request, path_components):
        """A tip's URL (``tips/<slug>/``) in one query with its author and account: Wagtail's walk
        takes four (the index, its type, the tip, its type) and two more for author and account."""
        if len(path_components) == 2 and path_components[0] == self._tips_slug():
            tip = (
                TipPage.objects.select_related("author", "account")
                .filter(
                    slug=path_components[1],
                    depth=self.depth + 2,
                    path__startswith=self.path,
                    url_path=f"{self.url_path}{path_components[0]}/{path_components[1]}/",
                )
                .first()
            )
            if tip is not None:
                return tip.route(request, [])
        return super().route(request, path_components)

    def _tips_slug(self) -> str | None:
        """The tips index's slug (cached until a tips index is saved: ``signal_handlers``)."""
        return caching.cached(
            caching.TIPS_INDEX_SLUG,
            lambda: TipIndexPage.objects.child_of(self).values_list("slug", flat=True).first(),
            key=str(self.pk),
            timeout=3600,
        )

    def get_template(self, request, *args, **kwargs):
        if request.headers.get("HX-Request") and request.GET.get("before"):
            return "includes/stream_page.html"  # "load more" asks only for the next items
        return super().get_template(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        before = parse_cursor(request.GET.get("before"))
        context["stream"] = stream(before=before, request=request)
        context["more_url"] = "?before="
        if before is None:
            context["featured_tips"], context["collections"] = featured_cached(request)
            context["trending"] = trending_cached(request)
            context["micropost_form"] = MicropostForm()
        return context


class TipIndexPage(HuddlePage):
    """The Tips section: every account tip lives below it."""

    max_count = 1
    parent_page_types = ["knowledge.HomePage"]
    subpage_types: list[str] = ["knowledge.TipPage"]

    class Meta:
        verbose_name = "tips index"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        filters = TipFilters(
            **{
                name: request.GET.get(name, "").strip()[:200]
                for name in ("tag", "account", "industry", "stage", "author", "sort")
            }
        )
        page = CountCachedPaginator(filtered_tips(filters), TIPS_PER_PAGE, key=repr(filters)).get_page(
            request.GET.get("page")
        )
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            {
                "tips": page,
                "tip_cards": TipCards(page, filters, request),
                "filters": filters,
                "sorts": TIP_SORTS,
                "stages": Stage.choices,
                "industries": INDUSTRY_CHOICES,
                "query_string": query.urlencode(),
            }
        )
        return context
