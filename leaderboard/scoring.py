"""The leaderboard: one grouped query over events, one over deals, weights applied as it is read."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from knowledge.roles import REPS

from . import attribution
from .models import ActivityEvent, Deal, RepProfile, ScoringSettings

Verb = ActivityEvent.Verb


class PeriodKey:
    THIS_QUARTER = "this_quarter"
    LAST_QUARTER = "last_quarter"
    YEAR_TO_DATE = "ytd"
    LAST_30 = "last_30"
    LAST_90 = "last_90"
    CUSTOM = "custom"

    CHOICES = [
        (THIS_QUARTER, "This quarter"),
        (LAST_QUARTER, "Last quarter"),
        (YEAR_TO_DATE, "Year to date"),
        (LAST_30, "Last 30 days"),
        (LAST_90, "Last 90 days"),
        (CUSTOM, "Custom dates"),
    ]


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    key: str = PeriodKey.CUSTOM

    @property
    def label(self) -> str:
        names = dict(PeriodKey.CHOICES)
        span = f"{self.start:%-d %b %Y} – {self.end:%-d %b %Y}"
        return span if self.key == PeriodKey.CUSTOM else f"{names[self.key]} ({span})"

    def datetimes(self) -> tuple[datetime, datetime]:
        """The period as [start, after-end) in the site's time zone."""
        zone = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, zone),
            datetime.combine(self.end + timedelta(days=1), time.min, zone),
        )


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def period_for(
    key: str, *, today: date | None = None, start: date | None = None, end: date | None = None
) -> Period:
    """The dates a named period covers; ``custom`` takes ``start`` and ``end``."""
    today = today or timezone.localdate()
    if key == PeriodKey.CUSTOM and start and end:
        return Period(start, end, key)
    if key == PeriodKey.LAST_QUARTER:
        this_start = _quarter_start(today)
        last_end = this_start - timedelta(days=1)
        return Period(_quarter_start(last_end), last_end, key)
    if key == PeriodKey.YEAR_TO_DATE:
        return Period(date(today.year, 1, 1), today, key)
    if key == PeriodKey.LAST_30:
        return Period(today - timedelta(days=29), today, key)
    if key == PeriodKey.LAST_90:
        return Period(today - timedelta(days=89), today, key)
    start = _quarter_start(today)
    next_start = _quarter_start(start + timedelta(days=95))
    return Period(start, next_start - timedelta(days=1), PeriodKey.THIS_QUARTER)


# The score's parts as the table shows them: column key, heading, the verbs it adds up.
PARTS = [
    ("tips", "Tips", [Verb.SHARED_TIP]),
    ("videos", "Videos", [Verb.SHARED_VIDEO, Verb.SHARED_PITCH]),
    ("microposts", "Microposts", [Verb.SHARED_MICROPOST]),
    ("comments", "Comments", [Verb.COMMENTED]),
    ("coaching", "Coaching given", [Verb.COACHING_GIVEN]),
    ("helpful", "Helpful received", [Verb.HELPFUL_RECEIVED]),
]


@dataclass
class Row:
    user_id: int
    username: str
    name: str
    team: str
    start_date: date | None
    counts: dict[str, int] = field(default_factory=dict)
    score: int = 0
    rank: int = 0
    revenue: Decimal = Decimal(0)
    deals_won: int = 0
    deals_lost: int = 0
    influenced: Decimal = Decimal(0)
    influenced_deals: int = 0
    # Won deals per currency that no exchange rate converts: left out of revenue and influence.
    unconverted: dict[str, int] = field(default_factory=dict)
    influenced_unconverted: dict[str, int] = field(default_factory=dict)

    @property
    def parts(self) -> dict[str, int]:
        return {key: sum(self.counts.get(verb, 0) for verb in verbs) for key, _, verbs in PARTS}

    @property
    def win_rate(self) -> float | None:
        closed = self.deals_won + self.deals_lost
        return self.deals_won / closed if closed else None

    def tenure_years(self, on: date) -> float | None:
        return (on - self.start_date).days / 365.25 if self.start_date else None


SORT_KEYS = {
    "rank": lambda row: row.rank,
    "name": lambda row: row.name.lower(),
    "team": lambda row: row.team.lower(),
    "score": lambda row: row.score,
    "revenue": lambda row: row.revenue,
    "won": lambda row: row.deals_won,
    "win_rate": lambda row: row.win_rate or 0,
    "influenced": lambda row: row.influenced,
    **{key: (lambda row, key=key: row.parts[key]) for key, _, _ in PARTS},
}
REVENUE_SORTS = {"revenue", "won", "win_rate", "influenced"}


class Board(list):
    """The board's rows, with what every row's money is in and what could not be converted."""

    def __init__(self, rows=(), *, currency: str = "USD", unconverted: dict | None = None):
        super().__init__(rows)
        self.currency = currency
        # Won deals closed in the period, per currency, that no rate converts (any owner).
        self.unconverted: dict[str, int] = unconverted or {}


def weights_for(site=None) -> ScoringSettings:
    return ScoringSettings.for_site(site) if site else ScoringSettings.current()


def reps_queryset(team_id: int | None = None):
    """Active people on the board: members of Reps, and anyone given a rep profile."""
    User = get_user_model()
    in_reps = Group.objects.filter(name=REPS, user=OuterRef("pk"))
    profile = RepProfile.objects.filter(user=OuterRef("pk"))
    users = User.objects.filter(is_active=True).filter(Exists(in_reps) | Exists(profile))
    if team_id:
        users = users.filter(rep_profile__team_id=team_id)
    return users


def leaderboard(
    period: Period,
    *,
    team_id: int | None = None,
    with_revenue: bool = False,
    scoring: ScoringSettings | None = None,
    sort: str = "rank",
) -> Board:
    """Every rep's row for the period, ranked by score; revenue columns only when asked for.

    Revenue adds amounts converted into the reporting currency; a won deal without a rate is
    counted in ``unconverted`` instead (on its row and on the board), never added.
    """
    scoring = scoring or weights_for()
    weights = scoring.weights()
    rows = {
        values["pk"]: Row(
            user_id=values["pk"],
            username=values["username"],
            name=f"{values['first_name']} {values['last_name']}".strip() or values["username"],
            team=values["rep_profile__team__name"] or "",
            start_date=values["rep_profile__start_date"],
        )
        for values in reps_queryset(team_id).values(
            "pk",
            "username",
            "first_name",
            "last_name",
            "rep_profile__team__name",
            "rep_profile__start_date",
        )
    }
    start, after = period.datetimes()
    events = (
        ActivityEvent.objects.filter(
            skipped="", created_at__gte=start, created_at__lt=after, rep_id__in=rows
        )
        if team_id
        else ActivityEvent.objects.filter(skipped="", created_at__gte=start, created_at__lt=after)
    )
    per_verb = {verb: Count("pk", filter=Q(verb=verb)) for verb in Verb.values}
    for counts in events.values("rep_id").annotate(**per_verb).order_by():
        row = rows.get(counts.pop("rep_id"))
        if row is not None:
            row.counts = counts
            row.score = sum(weights[verb] * count for verb, count in counts.items())
    unconverted: dict[str, int] = {}
    if with_revenue:
        # Every owner's deals, not only this team's: the board's warning counts every won deal
        # of the period without a rate, since influenced revenue crosses teams.
        deals = Deal.objects.closed_between(period.start, period.end).filter(owner__isnull=False)
        won = Q(status=Deal.Status.WON)
        revenue: dict[int, Decimal] = {}
        for totals in (
            deals.values("owner_id", "currency")
            .annotate(
                revenue=Sum("amount_reporting", filter=won),
                won=Count("pk", filter=won),
                lost=Count("pk", filter=Q(status=Deal.Status.LOST)),
                unconverted=Count("pk", filter=won & Q(amount_reporting__isnull=True)),
            )
            .order_by()
        ):
            currency, missing = totals["currency"], totals["unconverted"]
            if missing:
                unconverted[currency] = unconverted.get(currency, 0) + missing
            row = rows.get(totals["owner_id"])
            if row is None:
                continue
            revenue[row.user_id] = revenue.get(row.user_id, 0) + (totals["revenue"] or 0)
            row.deals_won += totals["won"]
            row.deals_lost += totals["lost"]
            if missing:
                row.unconverted[currency] = missing
        for user_id, amount in revenue.items():
            rows[user_id].revenue = _cents(amount)
        influence = attribution.influenced_by_author(
            period.start, period.end, window_days=scoring.influence_window_days
        )
        for author_id, credit in influence.items():
            row = rows.get(author_id)
            if row is not None:
                row.influenced, row.influenced_deals = _cents(credit.amount), credit.deals
                row.influenced_unconverted = credit.unconverted
    ranked = sorted(rows.values(), key=lambda row: (-row.score, row.name.lower()))
    for position, row in enumerate(ranked, start=1):
        # Ties share a rank (1, 2, 2, 4): equal scores are equal places.
        row.rank = (
            ranked[position - 2].rank
            if position > 1 and ranked[position - 2].score == row.score
            else position
        )
    return Board(
        sort_rows(ranked, sort), currency=scoring.reporting_currency, unconverted=unconverted
    )


def _cents(amount) -> Decimal:
    # SQLite sums decimals as floats: round back to cents so every backend shows the same figure.
    return Decimal(amount or 0).quantize(Decimal("0.01"))


def sort_rows(rows: list[Row], sort: str) -> list[Row]:
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORT_KEYS:
        return rows
    return sorted(rows, key=SORT_KEYS[key], reverse=descending)


def events_behind(user, period: Period, *, limit: int = 200):
    """The events that make up (or were left out of) a rep's score, newest first."""
    start, after = period.datetimes()
    return (
        ActivityEvent.objects.filter(rep=user, created_at__gte=start, created_at__lt=after)
        .select_related("actor", "content_type")
        .order_by("-created_at", "-pk")[:limit]
    )


def deals_behind(user, period: Period):
    """The closed deals (won and lost) behind a rep's revenue and win rate."""
    return (
        Deal.objects.closed_between(period.start, period.end)
        .filter(owner=user, status__in=[Deal.Status.WON, Deal.Status.LOST])
        .select_related("account")
        .order_by("-close_date", "-pk")
    )
