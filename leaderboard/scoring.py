"""The leaderboard: one grouped query over the daily roll-ups, one over deals, weights applied as
it is read."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from knowledge.roles import REPS

from . import attribution, rollups
from .models import ActivityEvent, DailyActivity, Deal, RepProfile, ScoringSettings

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


def period_for(key: str, *, today: date | None = None, start: date | None = None, end: date | None = None) -> Period:
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
    former: bool = False  # deactivated: shown only when a manager asks for former reps

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


def reps_queryset(team_id: int | None = None, *, former_in: "Period | None" = None):
    """People on the board: members of Reps, and anyone given a rep profile.

    Only active people, unless ``former_in`` is given: then also deactivated people who have
    counted activity in that period (a manager looking back at who was on the team).
    """
    User = get_user_model()
    in_reps = Group.objects.filter(name=REPS, user=OuterRef("pk"))
    profile = RepProfile.objects.filter(user=OuterRef("pk"))
    present = Q(is_active=True)
    if former_in is not None:
        active_then = DailyActivity.objects.filter(rep=OuterRef("pk"), day__gte=former_in.start, day__lte=former_in.end)
        present |= Exists(active_then)
    users = User.objects.filter(present).filter(Exists(in_reps) | Exists(profile))
    if team_id:
        users = users.filter(rep_profile__team_id=team_id)
    return users


def _new_row(values: dict) -> Row:
    return Row(
        user_id=values["pk"],
        username=values["username"],
        name=f"{values['first_name']} {values['last_name']}".strip() or values["username"],
        team=values["rep_profile__team__name"] or "",
        start_date=values["rep_profile__start_date"],
        former=not values["is_active"],
    )


ROW_FIELDS = (
    "pk",
    "username",
    "first_name",
    "last_name",
    "is_active",
    "rep_profile__team__name",
    "rep_profile__start_date",
)


def score_of(counts: dict[str, int], weights: dict[str, int]) -> int:
    """Counted events weighted by today's points per kind."""
    return sum(weights[verb] * count for verb, count in counts.items())


def leaderboard(
    period: Period,
    *,
    team_id: int | None = None,
    with_revenue: bool = False,
    scoring: ScoringSettings | None = None,
    sort: str = "rank",
    with_former: bool = False,
) -> Board:
    """Every rep's row for the period, ranked by score; revenue columns only when asked for.

    Counts come from the daily roll-ups (caps already applied), weighted as they are read.
    Revenue adds amounts converted into the reporting currency; a won deal without a rate is
    counted in ``unconverted`` instead (on its row and on the board), never added.
    """
    scoring = scoring or weights_for()
    weights = scoring.weights()
    people = reps_queryset(team_id, former_in=period if with_former else None)
    rows = {values["pk"]: _new_row(values) for values in people.values(*ROW_FIELDS)}
    for rep_id, counts in rollups.board_counts(period.start, period.end).items():
        row = rows.get(rep_id)
        if row is not None:
            row.counts = counts
            row.score = score_of(counts, weights)
    unconverted: dict[str, int] = {}
    if with_revenue:
        unconverted = _add_revenue(rows, period)
        influence = attribution.cached_influence_by_author(
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
        row.rank = ranked[position - 2].rank if position > 1 and ranked[position - 2].score == row.score else position
    return Board(sort_rows(ranked, sort), currency=scoring.reporting_currency, unconverted=unconverted)


def _add_revenue(rows: dict[int, Row], period: Period, *, owner_id: int | None = None) -> dict[str, int]:
    """Adds revenue, won and lost deals to the rows; returns won deals without a rate per currency.

    Counts every owner's deals, not only the rows': the board's warning counts every won deal
    of the period without a rate, since influenced revenue crosses teams.
    """
    unconverted: dict[str, int] = {}
    revenue: dict[int, Decimal] = {}
    for owner, currency, amount, won, lost, missing in deal_totals(period, owner_id=owner_id):
        if missing:
            unconverted[currency] = unconverted.get(currency, 0) + missing
        row = rows.get(owner)
        if row is None:
            continue
        revenue[row.user_id] = revenue.get(row.user_id, 0) + (amount or 0)
        row.deals_won += won
        row.deals_lost += lost
        if missing:
            row.unconverted[currency] = missing
    for user_id, amount in revenue.items():
        rows[user_id].revenue = _cents(amount)
    return unconverted


def deal_totals(period: Period, *, owner_id: int | None = None) -> list[tuple]:
    """(owner, currency, won revenue, won, lost, won without a rate) for the deals closed in the
    period; everyone's is kept until a deal, a rate or the settings change."""
    won = Q(status=Deal.Status.WON)
    deals = Deal.objects.closed_between(period.start, period.end).filter(owner__isnull=False)
    if owner_id is not None:
        deals = deals.filter(owner_id=owner_id)

    def build() -> list[tuple]:
        return list(
            deals.values("owner_id", "currency")
            .annotate(
                revenue=Sum("amount_reporting", filter=won),
                won=Count("pk", filter=won),
                lost=Count("pk", filter=Q(status=Deal.Status.LOST)),
                unconverted=Count("pk", filter=won & Q(amount_reporting__isnull=True)),
            )
            .values_list("owner_id", "currency", "revenue", "won", "lost", "unconverted")
            .order_by()
        )

    if owner_id is not None:
        return build()  # one rep's few deals: cheaper than a cache round trip for everyone's
    return attribution.cached_for_board(f"deals:{period.start}:{period.end}", build)


def rep_row(
    user_id: int,
    period: Period,
    *,
    with_revenue: bool = False,
    scoring: ScoringSettings | None = None,
    with_former: bool = False,
) -> tuple[Row | None, int]:
    """One rep's row (rank among everyone, score, revenue) and how many reps the board has,
    without building everyone's row: the drill-down shows one."""
    weights = (scoring or weights_for()).weights()
    people = reps_queryset(former_in=period if with_former else None)
    values = people.filter(pk=user_id).values(*ROW_FIELDS).first()
    on_board = set(people.values_list("pk", flat=True))
    if values is None:
        return None, len(on_board)
    row = _new_row(values)
    # Everyone's counts (a row per rep from the monthly roll-up), to rank this rep among them.
    counted = rollups.board_counts(period.start, period.end)
    row.counts = counted.get(user_id, dict.fromkeys(Verb.values, 0))
    row.score = score_of(row.counts, weights)
    row.rank = 1 + sum(
        1 for rep_id, counts in counted.items() if rep_id in on_board and score_of(counts, weights) > row.score
    )
    if with_revenue:
        _add_revenue({user_id: row}, period, owner_id=user_id)
    return row, len(on_board)


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
