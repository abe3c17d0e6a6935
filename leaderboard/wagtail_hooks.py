"""Managers keep teams and rep profiles in the Wagtail admin; scoring weights are a site setting."""

from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import RepProfile, Team


class TeamViewSet(SnippetViewSet):
    model = Team
    icon = "group"
    menu_label = "Teams"
    list_display = ["name", "manager"]
    search_fields = ["name"]
    panels = [FieldPanel("name"), FieldPanel("manager")]


class RepProfileViewSet(SnippetViewSet):
    model = RepProfile
    icon = "user"
    menu_label = "Rep profiles"
    list_display = ["user", "team", "manager", "start_date"]
    list_filter = ["team"]
    panels = [
        FieldPanel("user"),
        FieldPanel("team"),
        FieldPanel("manager"),
        FieldPanel("start_date"),
        FieldPanel("crm_names", help_text='A JSON list, e.g. ["Riley Rep", "R. Rep"].'),
        FieldPanel("crm_emails", help_text='A JSON list, e.g. ["riley@crm.example"].'),
    ]


class LeaderboardGroup(SnippetViewSetGroup):
    menu_label = "Leaderboard"
    menu_icon = "order"
    menu_order = 260
    items = (TeamViewSet, RepProfileViewSet)


register_snippet(LeaderboardGroup)
