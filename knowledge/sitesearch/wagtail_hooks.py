from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from config.spreadsheets import csv_response
from knowledge.roles import is_manager, is_marketing

from .models import SearchLog

PERIODS = {"7": "Past 7 days", "30": "Past 30 days", "90": "Past 90 days"}


def _search_logs(request):
    if not (is_marketing(request.user) or is_manager(request.user)):
        raise PermissionDenied("Only marketing and managers see what people search for.")
    days = request.GET.get("days", "30")
    days = days if days in PERIODS else "30"
    return days, SearchLog.objects.since(int(days))


def search_terms_report(request):
    """What people search for, and what finds nothing: content to write next."""
    days, logs = _search_logs(request)
    return render(
        request,
        "sitesearch/admin/search_terms.html",
        {
            "popular": logs.popular()[:50],
            "unanswered": logs.filter(result_count=0).popular()[:50],
            "total": logs.count(),
            "days": days,
            "periods": PERIODS,
        },
    )


def search_terms_csv(request):
    """Every search term of the period (not only the top 50), as CSV."""
    days, logs = _search_logs(request)
    rows = (
        [row["normalized_query"], row["searches"], row["empty"], row["last_searched"].isoformat()]
        for row in logs.popular().iterator()
    )
    return csv_response(
        ["search", "times", "found_nothing", "last_searched"], rows, filename=f"search-terms-{days}-days"
    )


@hooks.register("register_admin_urls")
def register_search_terms_url():
    return [
        path("reports/search-terms/", search_terms_report, name="search_terms_report"),
        path("reports/search-terms.csv", search_terms_csv, name="search_terms_csv"),
    ]


class MarketingMenuItem(MenuItem):
    def is_shown(self, request):
        return is_marketing(request.user) or is_manager(request.user)


@hooks.register("register_reports_menu_item")
def register_search_terms_menu_item():
    return MarketingMenuItem("Search terms", reverse("search_terms_report"), icon_name="search", order=700)
