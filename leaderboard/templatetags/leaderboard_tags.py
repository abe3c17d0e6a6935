"""Money and percentages for the leaderboard, and the tip page's "influenced deals" section."""

from decimal import Decimal

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from wagtail.models import Site

from leaderboard import attribution, scoring

register = template.Library()


@register.filter
def money(value) -> str:
    """12500 -> "$12,500"; the board sums amounts as the CRM gives them."""
    if value in (None, ""):
        return "—"
    return f"${Decimal(value):,.0f}"


@register.filter
def percent(value) -> str:
    # "" is what a template passes for a missing row's rate (``row.win_rate`` with no row).
    return "—" if value in (None, "") else f"{value:.0%}"


@register.filter
def points(weights, verb: str) -> int:
    return getattr(weights, verb, 0)


@register.filter
def signed(value) -> str:
    return "—" if value is None else f"{value:+.2f}"


@register.simple_tag(takes_context=True)
def tip_influence(context, item) -> SafeString:
    """The deals a tip (or video) influenced: listed for managers, counted for everyone else.

    Kept per item for ``attribution.ITEM_CACHE_SECONDS``, in the two versions readers see.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    if item is None or user is None or not user.is_authenticated or not getattr(item, "pk", None):
        return ""
    can_see_revenue = user.has_perm("leaderboard.view_revenue")
    html = attribution.cached_for_item(
        item,
        "revenue" if can_see_revenue else "count",
        lambda: _render_tip_influence(item, request, can_see_revenue=can_see_revenue),
    )
    return mark_safe(html)  # the section's own template escaped it when it was rendered


def _render_tip_influence(item, request, *, can_see_revenue: bool) -> str:
    weights = scoring.weights_for(Site.find_for_request(request))
    window_days = weights.influence_window_days
    context = {"can_see_revenue": can_see_revenue, "window_days": window_days}
    if can_see_revenue:
        deals = attribution.deals_influenced_by_item(item, window_days=window_days)
        context |= {
            "deals": deals,
            "count": len(deals),
            "total": sum((deal.amount for deal in deals), start=Decimal(0)),
        }
    else:
        # Counted in SQL: no deal, and so no amount, is read for this reader.
        context["count"] = attribution.count_deals_influenced_by_item(item, window_days=window_days)
    return render_to_string("leaderboard/includes/influence_on_tip_section.html", context)


@register.inclusion_tag(
    "leaderboard/includes/influence_on_profile_section.html", takes_context=True
)
def profile_influence(context, person):
    """ "Influenced by your tips" this year, on a person's profile: the deals' count and total."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if person is None or user is None or not user.is_authenticated:
        return {"show": False}
    weights = scoring.weights_for()
    period = scoring.period_for(scoring.PeriodKey.YEAR_TO_DATE)
    arguments = (person.pk, period.start, period.end)
    # Others' influenced revenue is revenue: amounts only for the author and for managers,
    # and for anyone else they are not even read.
    show_amount = person.pk == user.pk or user.has_perm("leaderboard.view_revenue")
    context = {"show": True, "person": person, "is_self": person.pk == user.pk}
    if show_amount:
        influenced = attribution.deals_influenced_by_author(
            *arguments, window_days=weights.influence_window_days
        )
        return context | {
            "show_amount": True,
            "count": len(influenced),
            "total": sum((entry.deal.amount for entry in influenced), start=Decimal(0)),
            "items": len({item for entry in influenced for item in entry.items}),
        }
    influence = attribution.influence_count_for_author(
        *arguments, window_days=weights.influence_window_days
    )
    return context | {
        "show_amount": False,
        "count": influence.deals,
        "items": len(influence.items),
    }
