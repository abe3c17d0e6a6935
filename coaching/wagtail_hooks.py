"""Coaching in the Wagtail admin: series (playlists) that marketing names and orders."""

from django.db.models import Count, Q
from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Series


class SeriesViewSet(SnippetViewSet):
    model = Series
    icon = "list-ol"
    menu_label = "Video series"
    add_to_admin_menu = True
    menu_order = 310
    list_display = ["title", Column("video_count", label="Live videos")]
    panels = [
        FieldPanel("title"),
        FieldPanel("description"),
        HelpPanel(
            content="Videos join a series from their own page (Series and its position); "
            "the lowest position plays first and the page shows previous/next."
        ),
    ]

    def get_queryset(self, request):
        return Series.objects.annotate(
            video_count=Count("videos", filter=Q(videos__live=True, videos__retired=False))
        )


register_snippet(SeriesViewSet)
