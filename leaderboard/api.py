"""The JSON API for CRM webhooks and scripts: push deals, read the leaderboard (token auth)."""

from datetime import date
from decimal import Decimal

from django.utils import timezone
from ninja import NinjaAPI, Query, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer

from .importing import import_deals
from .models import ApiToken, Deal
from .scoring import PeriodKey, leaderboard, period_for


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <key>``; a revoked token or an inactive user is refused."""

    def authenticate(self, request, token):
        api_token = ApiToken.for_key(token)
        if api_token is None:
            return None
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        request.user = api_token.user
        return api_token.user


api = NinjaAPI(
    title="Huddle API",
    version="1",
    description="Push deals from a CRM and read the leaderboard. Authenticate with "
    "`Authorization: Bearer <token>`; a manager creates and revokes tokens on the site (user menu, API tokens).",
    urls_namespace="huddle_api",
    auth=TokenAuth(),
)


class DealIn(Schema):
    crm_id: str
    name: str
    account: str = ""
    account_id: str = ""
    owner: str = ""
    owner_email: str = ""
    amount: str | float | None = None
    currency: str = ""
    stage: str = ""
    status: str = ""
    close_date: str = ""


class DealOut(Schema):
    crm_id: str
    name: str
    account: str
    owner: str | None
    owner_name: str
    amount: Decimal
    currency: str
    # The amount in the board's reporting currency at the close date; null without a rate.
    amount_reporting: Decimal | None = None
    stage: str
    status: str
    close_date: date | None


class DealResult(Schema):
    result: str
    deal: DealOut


class Problem(Schema):
    detail: str


class RowOut(Schema):
    rank: int
    username: str
    name: str
    team: str
    score: int
    parts: dict[str, int]
    closed_won_revenue: Decimal | None = None
    deals_won: int | None = None
    win_rate: float | None = None
    influenced_revenue: Decimal | None = None
    # Won deals per currency that no exchange rate converts: not in closed_won_revenue.
    deals_without_rate: dict[str, int] | None = None


class BoardOut(Schema):
    start: date
    end: date
    period: str
    currency: str  # every revenue figure's currency (the reporting currency)
    # The period's won deals per currency that no rate converts, left out of every figure.
    deals_without_rate: dict[str, int] = {}
    rows: list[RowOut]


class BoardQuery(Schema):
    period: str = PeriodKey.THIS_QUARTER
    start: date | None = None
    end: date | None = None
    team: int | None = None


def _deal_out(deal: Deal) -> dict:
    return {
        "crm_id": deal.crm_id,
        "name": deal.name,
        "account": str(deal.account or deal.account_name),
        "owner": deal.owner.username if deal.owner else None,
        "owner_name": deal.owner_name,
        "amount": deal.amount,
        "currency": deal.currency,
        "amount_reporting": deal.amount_reporting,
        "stage": deal.stage,
        "status": deal.status,
        "close_date": deal.close_date,
    }


@api.post(
    "/deals",
    response={200: DealResult, 400: Problem, 403: Problem},
    summary="Create or update a deal",
)
def push_deal(request, payload: DealIn):
    """Upserts one deal by its CRM id, with the same validation as a file import."""
    if not request.user.has_perm("leaderboard.import_deals"):
        raise HttpError(403, "This token's user may not import deals.")
    row = {key: "" if value is None else str(value) for key, value in payload.dict().items()}
    report = import_deals([row], format_name="API")
    if report.failed:
        return Status(400, {"detail": report.errors[0].reason})
    result = "created" if report.created else "updated" if report.updated else "unchanged"
    deal = Deal.objects.select_related("owner", "account").get(crm_id=payload.crm_id.strip())
    return Status(200, {"result": result, "deal": _deal_out(deal)})


MAX_BATCH = 1000  # the import reports at most this many errors (MAX_REPORTED_ERRORS)


class BatchDealIn(Schema):
    """One deal of a batch: every field optional here, so a bad deal fails alone, with its reason."""

    crm_id: str | None = ""
    name: str | None = ""
    account: str | None = ""
    account_id: str | None = ""
    owner: str | None = ""
    owner_email: str | None = ""
    amount: str | float | None = None
    currency: str | None = ""
    stage: str | None = ""
    status: str | None = ""
    close_date: str | None = ""


class BatchIn(Schema):
    deals: list[BatchDealIn]


class BatchResult(Schema):
    position: int
    crm_id: str
    result: str
    message: str = ""


class BatchOut(Schema):
    created: int
    updated: int
    unchanged: int
    failed: int
    results: list[BatchResult]


@api.post(
    "/deals/batch",
    response={200: BatchOut, 400: Problem, 403: Problem},
    summary="Create or update many deals in one call",
)
def push_deals(request, payload: BatchIn):
    """Upserts up to 1,000 deals with the file import's validation; one result per deal, in order
    (``position`` 1 is the first deal): created, updated, unchanged, or error with its message."""
    if not request.user.has_perm("leaderboard.import_deals"):
        raise HttpError(403, "This token's user may not import deals.")
    if not payload.deals:
        return Status(400, {"detail": 'Send at least one deal under "deals".'})
    if len(payload.deals) > MAX_BATCH:
        count = len(payload.deals)
        return Status(400, {"detail": f"Send at most {MAX_BATCH:,} deals per call; this one had {count:,}."})
    rows = [
        {"__line__": position, **{key: "" if value is None else str(value) for key, value in deal.dict().items()}}
        for position, deal in enumerate(payload.deals, start=1)
    ]
    crm_ids = {position: (row["crm_id"] or "").strip() for position, row in enumerate(rows, start=1)}
    existed = set(Deal.objects.filter(crm_id__in=set(crm_ids.values())).values_list("crm_id", flat=True))
    started = timezone.now()
    report = import_deals(rows, format_name="API")
    errors = {error.line: error.reason for error in report.errors}
    written = set(
        Deal.objects.filter(crm_id__in=existed, last_imported_at__gte=started).values_list("crm_id", flat=True)
    )
    results = []
    for position, crm_id in crm_ids.items():
        if position in errors:
            results.append({"position": position, "crm_id": crm_id, "result": "error", "message": errors[position]})
        else:
            result = "updated" if crm_id in written else "unchanged" if crm_id in existed else "created"
            results.append({"position": position, "crm_id": crm_id, "result": result})
    return Status(
        200,
        {
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "failed": report.failed,
            "results": results,
        },
    )


@api.get("/leaderboard", response={200: BoardOut, 400: Problem}, summary="Read the leaderboard")
def read_leaderboard(request, filters: Query[BoardQuery]):
    """Ranks and sharing scores; revenue fields only for users allowed to see revenue."""
    if filters.period not in dict(PeriodKey.CHOICES):
        return Status(400, {"detail": f"period must be one of {', '.join(dict(PeriodKey.CHOICES))}."})
    if filters.period == PeriodKey.CUSTOM and not (filters.start and filters.end and filters.start <= filters.end):
        return Status(400, {"detail": "A custom period needs start and end dates, start first."})
    period = period_for(filters.period, start=filters.start, end=filters.end)
    with_revenue = request.user.has_perm("leaderboard.view_revenue")
    rows = leaderboard(period, team_id=filters.team, with_revenue=with_revenue)
    return Status(
        200,
        {
            "start": period.start,
            "end": period.end,
            "period": period.label,
            "currency": rows.currency,
            "deals_without_rate": rows.unconverted if with_revenue else {},
            "rows": [
                {
                    "rank": row.rank,
                    "username": row.username,
                    "name": row.name,
                    "team": row.team,
                    "score": row.score,
                    "parts": row.parts,
                    **(
                        {
                            "closed_won_revenue": row.revenue,
                            "deals_won": row.deals_won,
                            "win_rate": row.win_rate,
                            "influenced_revenue": row.influenced,
                            "deals_without_rate": row.unconverted,
                        }
                        if with_revenue
                        else {}
                    ),
                }
                for row in rows
            ],
        },
    )
