from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from knowledge.roles import is_marketing

from . import encoder
from .duplicates import PAIR_MIN_SCORE, possible_duplicate_pairs


def possible_duplicates_report(request):
    """Pairs of live tips that say nearly the same thing, most similar first: candidates to merge."""
    if not is_marketing(request.user):
        raise PermissionDenied("Only marketing sees possible duplicates.")
    return render(
        request,
        "semantic/admin/possible_duplicates.html",
        {
            "pairs": possible_duplicate_pairs(),
            "enabled": encoder.is_enabled(),
            "threshold": round(PAIR_MIN_SCORE * 100),
        },
    )


@hooks.register("register_admin_urls")
def register_possible_duplicates_url():
    return [path("reports/possible-duplicates/", possible_duplicates_report, name="possible_duplicates_report")]


class MarketingOnlyMenuItem(MenuItem):
    def is_shown(self, request):
        return is_marketing(request.user)


@hooks.register("register_reports_menu_item")
def register_possible_duplicates_menu_item():
    return MarketingOnlyMenuItem(
        "Possible duplicates", reverse("possible_duplicates_report"), icon_name="doc-full", order=710
    )
