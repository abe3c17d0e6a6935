"""Coaching in the Wagtail admin: series that marketing orders, pitches awaiting a manager's feedback."""

from django.db.models import Count, Q
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from knowledge.roles import is_manager

from .models import PitchChallenge, PitchSubmission, Series


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
        return Series.objects.annotate(video_count=Count("videos", filter=Q(videos__live=True, videos__retired=False)))


register_snippet(SeriesViewSet)


PITCH_PANEL_SIZE = 10


class PitchesAwaitingFeedbackPanel(Component):
    """Pitches on open challenges the viewer has not reviewed, least reviewed first."""

    name = "pitches_awaiting_feedback"
    template_name = "coaching/admin/pitches_awaiting_feedback.html"
    order = 85

    def get_context_data(self, parent_context):
        user = parent_context["request"].user
        context = super().get_context_data(parent_context)
        context["pitches"] = list(
            PitchSubmission.objects.active()
            .filter(challenge__in=PitchChallenge.objects.open())
            .exclude(submitter=user)
            .exclude(reviews__reviewer=user)
            .with_review_counts()
            .select_related("submitter", "challenge")
            .order_by("review_count", "created_at")[:PITCH_PANEL_SIZE]
        )
        return context


@hooks.register("construct_homepage_panels")
def add_pitches_awaiting_feedback(request, panels):
    if is_manager(request.user):
        panels.append(PitchesAwaitingFeedbackPanel())
