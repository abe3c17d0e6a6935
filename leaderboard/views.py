"""The leaderboard's pages: the board, one rep's drill-down and sharing versus results."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from wagtail.models import Site

from config.spreadsheets import csv_response

from . import activity, analysis, attribution, currencies, scoring
from .forms import BoardFilterForm
from .models import ActivityEvent, ScoringSettings, Team

PAGE_SIZE = 100
DEALS_FORBIDDEN = "A colleague's deals show revenue, which only managers can see."
REVENUE_FORBIDDEN = "The sharing-versus-results analysis shows revenue, which only managers can see."


def require_permission(request, permission: str, message: str) -> None:
    """Refuses the request with ``message`` (on the 403 page) unless the person has ``permission``."""
    if not request.user.has_perm(permission):
        raise PermissionDenied(message)


@dataclass(frozen=True)
class RequestedBoard:
    """The board one request asks for: its filters, what the person may see, and the rows."""

    form: BoardFilterForm
    period: scoring.Period
    team: Team | None
    sort: str
    can_see_revenue: bool
    weights: ScoringSettings
    rows: scoring.Board


def _board(request) -> RequestedBoard:
    form = BoardFilterForm(request.GET or None)
    period, team, sort = form.selection()
    can_see_revenue = request.user.has_perm("leaderboard.view_revenue")
    if sort.lstrip("-") in scoring.REVENUE_SORTS and not can_see_revenue:
        sort = "rank"
    weights = scoring.weights_for(Site.find_for_request(request))
    rows = scoring.leaderboard(
        period,
        team_id=team.pk if team else None,
        with_revenue=can_see_revenue,
        scoring=weights,
        sort=sort,
        # Former reps are a manager's look back; everyone else sees the people still here.
        with_former=can_see_revenue and form.wants_former(),
    )
    return RequestedBoard(
        form=form, period=period, team=team, sort=sort, can_see_revenue=can_see_revenue, weights=weights, rows=rows
    )


def leaderboard(request):
    """The board: everyone's sharing for a period; revenue columns for those allowed to see them."""
    board = _board(request)
    page = Paginator(board.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    me = next((row for row in board.rows if row.user_id == request.user.pk), None)
    query = {key: value for key, value in request.GET.items() if key not in {"sort", "page"}}
    columns = [("rank", "Rank"), ("name", "Rep"), ("team", "Team"), ("score", "Score")]
    if board.can_see_revenue:
        # Right after the score: the columns a manager comes for never sit behind a scroll.
        columns += [
            ("revenue", "Closed-won revenue"),
            ("won", "Deals won"),
            ("win_rate", "Win rate"),
            ("influenced", "Influenced revenue"),
        ]
    columns += [(key, heading) for key, heading, _ in scoring.PARTS]
    headers = [
        {
            "key": key,
            "label": label,
            "active": board.sort.lstrip("-") == key,
            "descending": board.sort.startswith("-"),
            "url": "?" + urlencode({**query, "sort": key if board.sort == f"-{key}" else f"-{key}"}),
            "numeric": key not in {"name", "team"},
        }
        for key, label in columns
    ]
    return render(
        request,
        "leaderboard/leaderboard.html",
        {
            "form": board.form,
            "period": board.period,
            "team": board.team,
            "page_obj": page,
            "rows": page.object_list,
            "show_former": board.can_see_revenue,
            "me": me,
            "headers": headers,
            "can_see_revenue": board.can_see_revenue,
            "weights": board.weights,
            "verb_labels": ActivityEvent.Verb,
            "rules": activity.fair_play_rules(),
            "influence_rule": attribution.RULE.format(days=board.weights.influence_window_days),
            "parts": scoring.PARTS,
            "querystring": urlencode(query),
            "rep_count": len(board.rows),
            "can_import": request.user.has_perm("leaderboard.import_deals"),
            "reporting_currency": board.rows.currency,
            "missing_rates": currencies.missing_rates(board.rows.unconverted),
            "can_add_rates": request.user.has_perm("leaderboard.add_exchangerate"),
            "scoring_weights_url": _scoring_weights_url(request.user),
        },
    )


def _scoring_weights_url(user) -> str | None:
    """Where managers change the points per activity (Wagtail's settings), if this person may."""
    if user.has_perm("wagtailadmin.access_admin") and user.has_perm("leaderboard.change_scoringsettings"):
        return reverse("wagtailsettings:edit", args=["leaderboard", "scoringsettings"])
    return None


def leaderboard_csv(request):
    """The board as CSV, with the same columns the person may see on the page."""
    board = _board(request)
    header = ["rank", "username", "name", "team", "score", *[key for key, _, _ in scoring.PARTS]]
    if board.can_see_revenue:
        header += [
            "closed_won_revenue",
            "deals_won",
            "deals_lost",
            "win_rate",
            "influenced_revenue",
            "currency",
            "won_deals_without_rate",
        ]

    def lines():
        for row in board.rows:
            values = [row.rank, row.username, row.name, row.team, row.score, *row.parts.values()]
            if board.can_see_revenue:
                rate = f"{row.win_rate:.3f}" if row.win_rate is not None else ""
                values += [
                    f"{row.revenue:.2f}",
                    row.deals_won,
                    row.deals_lost,
                    rate,
                    f"{row.influenced:.2f}",
                    board.rows.currency,
                    sum(row.unconverted.values()),
                ]
            yield values

    return csv_response(header, lines(), filename=f"leaderboard-{board.period.start}-{board.period.end}")


def rep_detail(request, username: str):
    """One rep's drill-down: events behind the score, deals behind the revenue, influence.

    Amounts (revenue, deals, influenced revenue) only for managers and for the rep themself;
    anyone else gets counts, and the amounts are not even read.
    """
    can_see_revenue = request.user.has_perm("leaderboard.view_revenue")
    # Managers can open a former rep's page (from the board with former reps shown).
    present = {} if can_see_revenue else {"is_active": True}
    person = get_object_or_404(get_user_model(), username=username, **present)
    form = BoardFilterForm(request.GET or None)
    period, _team, _sort = form.selection()
    # The same site's weights as the board, so the rank and score here match the row there.
    weights = scoring.weights_for(Site.find_for_request(request))
    is_self = person.pk == request.user.pk
    can_see_amounts = can_see_revenue or is_self
    row, rep_count = scoring.rep_row(
        person.pk, period, with_revenue=can_see_amounts, scoring=weights, with_former=not person.is_active
    )
    points = weights.weights()
    events = [(event, 0 if event.skipped else points[event.verb]) for event in scoring.events_behind(person, period)]
    influenced, influenced_total = None, None
    if can_see_amounts:
        influenced = attribution.deals_influenced_by_author(
            person.pk, period.start, period.end, window_days=weights.influence_window_days
        )
        influenced_total = currencies.converted_total(entry.deal for entry in influenced)
        influence = _count_influence(influenced)
    else:
        influence = attribution.influence_count_for_author(
            person.pk, period.start, period.end, window_days=weights.influence_window_days
        )
    querystring = urlencode({k: v for k, v in request.GET.items() if k in {"period", "start", "end", "former"}})
    return render(
        request,
        "leaderboard/rep_detail.html",
        {
            "person": person,
            "row": row,
            "period": period,
            "form": form,
            "events": events,
            "deals": scoring.deals_behind(person, period) if can_see_amounts else None,
            "influenced": influenced,
            "influence": influence,
            "influenced_total": influenced_total,
            "revenue_missing_rates": currencies.missing_rates(row.unconverted if row else {}),
            "influence_missing_rates": influenced_total.missing if influenced_total else [],
            "reporting_currency": weights.reporting_currency,
            "can_add_rates": request.user.has_perm("leaderboard.add_exchangerate"),
            "can_see_revenue": can_see_revenue,
            "is_self": is_self,
            "rep_count": rep_count,
            "influence_rule": attribution.RULE.format(days=weights.influence_window_days),
            "querystring": querystring,
            "export_url": reverse("leaderboard_rep_deals_csv", args=[person.username])
            + (f"?{querystring}" if querystring else ""),
        },
    )


def _count_influence(influenced) -> attribution.InfluenceCount:
    deals_per_item: dict[object, int] = {}
    for entry in influenced:
        for item in entry.items:
            deals_per_item[item] = deals_per_item.get(item, 0) + 1
    return attribution.InfluenceCount(deals=len(influenced), items=list(deals_per_item.items()))


def rep_deals_csv(request, username: str):
    """The drill-down's deals as CSV: for managers and for the rep themself, as on the page."""
    person = get_object_or_404(get_user_model(), username=username, is_active=True)
    if person.pk != request.user.pk:
        require_permission(request, "leaderboard.view_revenue", DEALS_FORBIDDEN)
    period, _team, _sort = BoardFilterForm(request.GET or None).selection()
    deals = scoring.deals_behind(person, period)
    reporting = currencies.reporting_currency()
    header = ["crm_id", "deal", "account", "stage", "result", "close_date", "amount", "currency"]
    # The amount as the CRM sent it, then converted; empty when no rate converts it.
    header += ["converted_amount", "reporting_currency"]
    rows = (
        [
            deal.crm_id,
            deal.name,
            str(deal.account or deal.account_name or ""),
            deal.stage,
            deal.get_status_display(),
            deal.close_date.isoformat(),
            f"{deal.amount:.2f}",
            deal.currency,
            "" if deal.amount_reporting is None else f"{deal.amount_reporting:.2f}",
            reporting,
        ]
        for deal in deals.iterator()
    )
    return csv_response(header, rows, filename=f"deals-{person.username}-{period.start}-{period.end}")


def _analysis(request):
    require_permission(request, "leaderboard.view_revenue", REVENUE_FORBIDDEN)
    form = BoardFilterForm(request.GET or None)
    period, team, _sort = form.selection()
    rows = scoring.leaderboard(period, team_id=team.pk if team else None, with_revenue=True)
    return form, period, rows, analysis.analyse(rows, on=period.end)


def analysis_view(request):
    """Sharing versus results, for managers: an association, with its uncertainty."""
    form, period, rows, result = _analysis(request)
    querystring = urlencode({k: v for k, v in request.GET.items() if k in {"period", "start", "end", "team"}})
    return render(
        request,
        "leaderboard/analysis.html",
        {
            "form": form,
            "period": period,
            "result": result,
            "rows": rows,
            "querystring": querystring,
            "reporting_currency": rows.currency,
            "missing_rates": currencies.missing_rates(rows.unconverted),
            "can_add_rates": request.user.has_perm("leaderboard.add_exchangerate"),
        },
    )


def analysis_csv(request):
    """The analysis page's numbers, one row per rep, for managers."""
    _form, period, board, result = _analysis(request)
    header = ["rep", "username", "sharing_score", "closed_won_revenue", "tenure_years", "tenure"]
    header += ["currency"]
    rows = (
        [
            point["name"],
            point["username"],
            point["score"],
            f"{point['revenue']:.2f}",
            "" if point["tenure"] is None else f"{point['tenure']:.1f}",
            point["band"],
            board.currency,
        ]
        for point in result.points
    )
    return csv_response(header, rows, filename=f"sharing-vs-results-{period.start}-{period.end}")
