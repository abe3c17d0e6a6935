"""Managers keep teams, rep profiles and exchange rates in the Wagtail admin; scoring weights
and the reporting currency are a site setting."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.functional import cached_property
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.components import Component
from wagtail.admin.widgets.button import HeaderButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet, SnippetViewSetGroup

from config.spreadsheets import csv_response

from . import currencies
from .csv_reading import read_rows
from .forms import RatesUploadForm
from .models import ExchangeRate, RepProfile, Team

RATES_FORBIDDEN = "Only managers can import exchange rates."


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


class ExchangeRateIndexView(IndexView):
    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        if self.request.user.has_perm("leaderboard.add_exchangerate"):
            buttons.append(HeaderButton("Import CSV", url=reverse("leaderboard_rates_import"), icon_name="upload"))
        return buttons


class ExchangeRateViewSet(SnippetViewSet):
    model = ExchangeRate
    icon = "table"
    menu_label = "Exchange rates"
    index_view_class = ExchangeRateIndexView
    list_display = ["currency", "rate", "to_currency", "valid_from"]
    list_filter = ["currency"]
    panels = [
        FieldPanel("currency"),
        FieldPanel("rate"),
        FieldPanel("valid_from"),
        FieldPanel("to_currency"),
    ]


class LeaderboardGroup(SnippetViewSetGroup):
    menu_label = "Leaderboard"
    menu_icon = "order"
    menu_order = 260
    items = (TeamViewSet, RepProfileViewSet, ExchangeRateViewSet)


register_snippet(LeaderboardGroup)


def import_rates_view(request):
    """Managers upload exchange rates as CSV; each bad line is listed, the rest are saved."""
    if not request.user.has_perms(["leaderboard.add_exchangerate", "leaderboard.change_exchangerate"]):
        raise PermissionDenied(RATES_FORBIDDEN)
    form = RatesUploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = currencies.import_rates(read_rows(upload.file, encoding=form.cleaned_data["encoding"]))
    return render(
        request,
        "leaderboard/admin/rates_import.html",
        {
            "form": form,
            "report": report,
            "columns": currencies.RATE_COLUMNS,
            "reporting_currency": currencies.reporting_currency(),
        },
    )


def export_rates_view(request):
    """Every rate in the import's format: edit it in a spreadsheet and import it back."""
    if not request.user.has_perm("leaderboard.view_exchangerate"):
        raise PermissionDenied(RATES_FORBIDDEN)
    return csv_response(currencies.RATE_COLUMNS, currencies.rate_rows(), filename="exchange-rates")


@hooks.register("register_admin_urls")
def exchange_rate_urls():
    return [
        path("leaderboard/rates/import/", import_rates_view, name="leaderboard_rates_import"),
        path("leaderboard/rates/export.csv", export_rates_view, name="leaderboard_rates_export"),
    ]


class ManagerLinksPanel(Component):
    """A manager's starting points: the board and its analysis, deals, weights, teams, profiles."""

    name = "manager_links"
    template_name = "leaderboard/admin/manager_links.html"
    order = 80

    def get_context_data(self, parent_context):
        user = parent_context["request"].user
        links = [
            ("Leaderboard", reverse("leaderboard"), "Points and results per rep for a period."),
            ("Analysis", reverse("leaderboard_analysis"), "Does sharing go with winning?"),
        ]
        if user.has_perm("leaderboard.import_deals"):
            links += [
                ("Import deals", reverse("leaderboard_import"), "Upload a CRM export (CSV)."),
                ("CRM owners", reverse("leaderboard_owners"), "Map deal owners to reps."),
            ]
        if user.has_perm("leaderboard.change_scoringsettings"):
            links.append(
                (
                    "Scoring weights",
                    reverse("wagtailsettings:edit", args=["leaderboard", "scoringsettings"]),
                    "Points per event; a change re-scores history.",
                )
            )
        for model, label, help_text in [
            ("team", "Teams", "Teams and who manages them."),
            ("repprofile", "Rep profiles", "Team, start date, CRM names."),
            ("exchangerate", "Exchange rates", "Rates that convert deals to the reporting currency."),
        ]:
            if user.has_perm(f"leaderboard.change_{model}"):
                links.append((label, reverse(f"wagtailsnippets_leaderboard_{model}:list"), help_text))
        return {**super().get_context_data(parent_context), "links": links}


@hooks.register("construct_homepage_panels")
def add_manager_links(request, panels):
    if request.user.has_perm("leaderboard.view_revenue"):
        panels.append(ManagerLinksPanel())
