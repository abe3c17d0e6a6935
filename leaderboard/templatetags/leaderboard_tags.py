"""Money and percentages for the leaderboard, its long tables' rows (built in Python: at 1,000
reps a template loop was most of a page's time), and the tip page's "influenced deals" section."""

from functools import lru_cache
from urllib.parse import quote

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString, mark_safe
from wagtail.models import Site

from config.people import person_name
from leaderboard import attribution, currencies, scoring

register = template.Library()


@register.filter
def money(value, currency: str = "USD") -> str:
    """12500 -> "$12,500"; ``|money:"EUR"`` -> "€12,500". Sums are in the reporting currency."""
    return currencies.format_money(value, currency or "USD")


_USERNAME_MARK = "~username~"


@lru_cache(maxsize=16)
def _rep_page_pattern(script_prefix: str, urlconf) -> str:
    # ``script_prefix`` is in the cache key only: ``reverse`` reads the same prefix itself.
    return reverse("leaderboard_rep", args=[_USERNAME_MARK], urlconf=urlconf)


@register.filter
def rep_page(username: str) -> str:
    """A rep's leaderboard page, as ``{% url 'leaderboard_rep' username %}`` gives it.

    The board and the analysis link every row: reversing the route once per page instead of once
    per row saves 20 ms of the analysis page's render at 1,000 reps. Quoted as ``reverse`` quotes.
    """
    pattern = _rep_page_pattern(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    return pattern.replace(_USERNAME_MARK, quote(str(username), safe=RFC3986_SUBDELIMS + "/~:@"))


@register.simple_tag
def analysis_rows(points: list[dict], querystring: str, currency: str) -> SafeString:
    """The analysis page's table of every rep, one ``<tr>`` each, escaped by ``format_html``.

    Built here rather than in a template loop: at 1,000 reps the loop's 8,000 variable lookups
    were most of the page's time.
    """
    return format_html_join(
        "",
        '<tr><td><a href="{}?{}">{}</a></td><td class="num">{}</td><td class="num">{}</td><td>{}</td></tr>',
        (
            (
                rep_page(point["username"]),
                querystring,
                point["name"],
                point["score"],
                currencies.format_money(point["revenue"], currency or "USD"),
                point["band"],
            )
            for point in points
        ),
    )


@register.simple_tag
def event_rows(events: list[tuple]) -> SafeString:
    """A rep page's "What earned the score": up to 200 ``(event, points earned)`` rows.

    Built here for the reason the analysis table is: the template loop was a third of the page.
    The time is shown in the site's time zone, as the ``date`` filter shows it.
    """
    skipped_class = mark_safe(' class="event--skipped"')
    return format_html_join(
        "",
        '<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class="num">{}</td></tr>',
        (
            (
                skipped_class if event.skipped else "",
                dateformat.format(timezone.localtime(event.created_at), "j M Y H:i"),
                event.get_verb_display(),
                person_name(event.actor),
                event.content_type.name if event.content_type else "—",
                format_html('0 <span class="muted">({})</span>', event.get_skipped_display().lower())
                if event.skipped
                else earned,
            )
            for event, earned in events
        ),
    )


@register.filter
def deal_amount(deal, reporting_currency: str = "USD") -> str:
    """One deal's amount as the CRM gave it, beside its converted figure:
    "€1,250,000.00 ≈ $1,352,000"; flagged when no exchange rate converts it."""
    if deal.currency == reporting_currency:
        return currencies.format_money(deal.amount, deal.currency)
    original = currencies.format_money(deal.amount, deal.currency, cents=True)
    if deal.amount_reporting is None:
        return format_html(
            '{} <span class="badge badge--stale">no {} rate: not in totals</span>',
            original,
            deal.currency,
        )
    return f"{original} ≈ {currencies.format_money(deal.amount_reporting, reporting_currency)}"


@register.filter
def percent(value) -> str:
    # "" is what a template passes for a missing row's rate (``row.win_rate`` with no row).
    return "—" if value in (None, "") else f"{value:.0%}"


@register.filter
def points(weights, verb: str) -> int:
    return getattr(weights, verb, 0)


@register.filter
def short_period(period: scoring.Period) -> str:
    """ "This quarter", or the dates of a custom period: what fits one line on a phone."""
    if period.key != scoring.PeriodKey.CUSTOM:
        return dict(scoring.PeriodKey.CHOICES)[period.key]
    return f"{period.start:%-d %b} – {period.end:%-d %b %Y}"


_PART_HEADINGS = {key: heading for key, heading, _ in scoring.PARTS}


@register.simple_tag
def part_cells(parts: dict[str, int]) -> SafeString:
    """A board row's score parts, each cell labelled with its column heading for the phone cards.

    A hundred rows of ten parts: built here, not in a template loop (a third of the board's render).
    """
    return format_html_join(
        "",
        '<td class="num board__part"><span class="board__label">{}</span> {}</td>',
        ((_PART_HEADINGS[key], value) for key, value in parts.items()),
    )


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
            "total": currencies.converted_total(deals),
            "reporting_currency": weights.reporting_currency,
            "can_add_rates": True,  # only managers see amounts here
        }
    else:
        # Counted in SQL: no deal, and so no amount, is read for this reader.
        context["count"] = attribution.count_deals_influenced_by_item(item, window_days=window_days)
    return render_to_string("leaderboard/includes/influence_on_tip_section.html", context)


@register.inclusion_tag("leaderboard/includes/influence_on_profile_section.html", takes_context=True)
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
        influenced = attribution.deals_influenced_by_author(*arguments, window_days=weights.influence_window_days)
        return context | {
            "show_amount": True,
            "count": len(influenced),
            "total": currencies.converted_total(entry.deal for entry in influenced),
            "reporting_currency": weights.reporting_currency,
            "can_add_rates": user.has_perm("leaderboard.add_exchangerate"),
            "items": len({item for entry in influenced for item in entry.items}),
        }
    influence = attribution.influence_count_for_author(*arguments, window_days=weights.influence_window_days)
    return context | {
        "show_amount": False,
        "count": influence.deals,
        "items": len(influence.items),
    }
