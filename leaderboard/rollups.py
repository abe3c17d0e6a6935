"""Daily counts per rep and kind, with the fair-play caps applied as events are counted.

Every event is kept; whether it scores is decided here, in time order per rep, the same way
for an event arriving now, one imported with an old date, one deleted, or a whole history
re-counted after a cap changed. The decision is written back on the event (``skipped``, which
the drill-down shows) and the counted ones land in ``DailyActivity``, and summed per calendar
month in ``MonthlyActivity``.
"""

from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django_tasks import task

from config import caching
from knowledge.oncommit import enqueue_once_on_commit

from .models import ActivityEvent, DailyActivity, MonthlyActivity, RollupState

Verb = ActivityEvent.Verb
Skipped = ActivityEvent.Skipped
VERBS = list(Verb.values)
PAIR_WINDOW = timedelta(days=7)
UPDATE_CHUNK = 500


@dataclass(frozen=True)
class Caps:
    daily: int
    helpful_pair_weekly: int

    @classmethod
    def current(cls) -> "Caps":
        return cls(settings.LEADERBOARD_DAILY_CAP, settings.LEADERBOARD_HELPFUL_PAIR_WEEKLY_CAP)


def day_start(day: date) -> datetime:
    """Midnight starting ``day`` in the site's time zone: caps and the board count local days."""
    return datetime.combine(day, time.min, timezone.get_current_timezone())


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


class Counter:
    """Decides, event by event in time order for one rep, which events score."""

    def __init__(self, caps: Caps):
        self.caps = caps
        self.per_day: dict[tuple[str, date], int] = defaultdict(int)
        self.pairs: dict[int, deque[datetime]] = defaultdict(deque)

    def remember_pair(self, actor_id: int, created_at: datetime) -> None:
        """A counted helpful mark from before the events being decided (the week's context)."""
        self.pairs[actor_id].append(created_at)

    def decide(self, actor_id: int, owner_id: int | None, verb: str, created_at: datetime, day: date) -> str:
        if owner_id == actor_id and not verb.startswith("shared_"):
            return Skipped.OWN_CONTENT
        if self.per_day[verb, day] >= self.caps.daily:
            return Skipped.DAILY_CAP
        if verb == Verb.HELPFUL_RECEIVED:
            recent = self.pairs[actor_id]
            while recent and recent[0] < created_at - PAIR_WINDOW:
                recent.popleft()
            if len(recent) >= self.caps.helpful_pair_weekly:
                return Skipped.PAIR_CAP
            recent.append(created_at)
        self.per_day[verb, day] += 1
        return ""


EVENT_FIELDS = ("pk", "actor_id", "owner_id", "verb", "created_at", "skipped")


def _count(events: Iterable[tuple], counter: Counter) -> tuple[dict[str, list[int]], dict[date, dict[str, int]]]:
    """Decides ``events`` (EVENT_FIELDS, in time order); returns changed decisions and day counts."""
    changed: dict[str, list[int]] = defaultdict(list)
    days: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for pk, actor_id, owner_id, verb, created_at, skipped in events:
        day = local_day(created_at)
        reason = counter.decide(actor_id, owner_id, verb, created_at, day)
        if reason != skipped:
            changed[reason].append(pk)
        if not reason:
            days[day][verb] += 1
    return changed, days


def _save_decisions(changed: dict[str, list[int]]) -> None:
    for reason, pks in changed.items():
        for start in range(0, len(pks), UPDATE_CHUNK):
            ActivityEvent.objects.filter(pk__in=pks[start : start + UPDATE_CHUNK]).update(skipped=reason)


def _write_days(rep_id: int, days: dict[date, dict[str, int]], *, verbs: list[str], first: date, last: date | None):
    """Replaces ``verbs``' counts for the rep's days in [first, last] (open-ended without ``last``)."""
    in_range = DailyActivity.objects.filter(rep_id=rep_id, day__gte=first)
    if last is not None:
        in_range = in_range.filter(day__lte=last)
    existing = {row.day: row for row in in_range}
    changed, created = [], []
    for day, row in existing.items():
        counts = days.get(day, {})
        if any(getattr(row, verb) != counts.get(verb, 0) for verb in verbs):
            for verb in verbs:
                setattr(row, verb, counts.get(verb, 0))
            changed.append(row)
    for day, counts in days.items():
        if day not in existing:
            created.append(DailyActivity(rep_id=rep_id, day=day, **counts))
    DailyActivity.objects.bulk_update(changed, verbs, batch_size=UPDATE_CHUNK)
    DailyActivity.objects.bulk_create(created, batch_size=UPDATE_CHUNK)
    empty = [row.pk for row in changed if not any(getattr(row, verb) for verb in VERBS)]
    DailyActivity.objects.filter(pk__in=empty).delete()
    if changed or created:
        _write_months(rep_id, first=first, last=last)
        if first < timezone.localdate():
            caching.invalidate(caching.ACTIVITY_HISTORY)


def _write_months(rep_id: int, *, first: date, last: date | None) -> None:
    """Sums the rep's daily counts again for the months from ``first``'s to ``last``'s (or on)."""
    days = DailyActivity.objects.filter(rep_id=rep_id, day__gte=month_of(first))
    months = MonthlyActivity.objects.filter(rep_id=rep_id, month__gte=month_of(first))
    if last is not None:
        days = days.filter(day__lt=next_month(last))
        months = months.filter(month__lte=month_of(last))
    sums = {
        totals.pop("month"): totals
        for totals in days.annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(**{verb: Sum(verb) for verb in VERBS})
        .order_by()
    }
    existing = {row.month: row for row in months}
    changed = []
    for month, row in existing.items():
        counts = sums.get(month)
        if counts is not None and any(getattr(row, verb) != counts[verb] for verb in VERBS):
            for verb in VERBS:
                setattr(row, verb, counts[verb])
            changed.append(row)
    MonthlyActivity.objects.bulk_update(changed, VERBS, batch_size=UPDATE_CHUNK)
    created = [MonthlyActivity(rep_id=rep_id, month=month, **counts) for month, counts in sums.items()]
    MonthlyActivity.objects.bulk_create([row for row in created if row.month not in existing])
    MonthlyActivity.objects.filter(pk__in=[row.pk for month, row in existing.items() if month not in sums]).delete()


def _months(days: dict[date, dict[str, int]]) -> dict[date, dict[str, int]]:
    months: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for day, counts in days.items():
        for verb, count in counts.items():
            months[month_of(day)][verb] += count
    return months


def recount(rep_id: int, verb: str, day: date, *, caps: Caps | None = None) -> None:
    """Re-decides one rep's events of one kind from ``day`` on and rewrites their daily counts.

    A kind's daily cap only reaches across one day; helpful marks also have the weekly pair
    cap, whose decisions can ripple forward, so they are re-counted from ``day`` to the end.
    """
    caps = caps or Caps.current()
    start = day_start(day)
    events = ActivityEvent.objects.filter(rep_id=rep_id, verb=verb, created_at__gte=start)
    counter = Counter(caps)
    last = None
    if verb == Verb.HELPFUL_RECEIVED:
        for actor_id, created_at in ActivityEvent.objects.filter(
            rep_id=rep_id, verb=verb, skipped="", created_at__gte=start - PAIR_WINDOW, created_at__lt=start
        ).values_list("actor_id", "created_at"):
            counter.remember_pair(actor_id, created_at)
    else:
        events = events.filter(created_at__lt=day_start(day + timedelta(days=1)))
        last = day
    with transaction.atomic():
        changed, days = _count(events.order_by("created_at", "pk").values_list(*EVENT_FIELDS), counter)
        _save_decisions(changed)
        _write_days(rep_id, days, verbs=[verb], first=day, last=last)


@task()
def recount_task(rep_id: int, verb: str, day: str) -> None:
    if get_user_model().objects.filter(pk=rep_id).exists():
        recount(rep_id, verb, date.fromisoformat(day))


def event_changed(event: ActivityEvent) -> None:
    """An event was written or deleted: its rep's count for that kind and day is re-counted
    (in the worker after the commit when one runs, else at once)."""
    enqueue_once_on_commit(recount_task, event.rep_id, event.verb, local_day(event.created_at).isoformat())


def events_imported(events: Iterable[ActivityEvent]) -> None:
    """Events written in bulk (no signals): re-counts each rep's kinds on the days they touch
    (helpful marks once, from their earliest day, as ``recount`` goes on to the end)."""
    touched: dict[tuple[int, str], set[date]] = defaultdict(set)
    for event in events:
        touched[event.rep_id, event.verb].add(local_day(event.created_at))
    for (rep_id, verb), days in touched.items():
        for day in [min(days)] if verb == Verb.HELPFUL_RECEIVED else sorted(days):
            enqueue_once_on_commit(recount_task, rep_id, verb, day.isoformat())


def rebuild(*, caps: Caps | None = None, progress: Callable[[Iterable, int], Iterable] | None = None) -> int:
    """Re-counts every rep's whole history with ``caps``; returns how many events were read."""
    caps = caps or Caps.current()
    rep_ids = list(ActivityEvent.objects.values_list("rep_id", flat=True).distinct().order_by("rep_id"))
    steps = progress(rep_ids, len(rep_ids)) if progress else rep_ids
    read = 0
    with transaction.atomic():
        DailyActivity.objects.exclude(rep_id__in=rep_ids).delete()
        MonthlyActivity.objects.exclude(rep_id__in=rep_ids).delete()
        for rep_id in steps:
            events = list(
                ActivityEvent.objects.filter(rep_id=rep_id).order_by("created_at", "pk").values_list(*EVENT_FIELDS)
            )
            read += len(events)
            changed, days = _count(events, Counter(caps))
            _save_decisions(changed)
            DailyActivity.objects.filter(rep_id=rep_id).delete()
            DailyActivity.objects.bulk_create(
                [DailyActivity(rep_id=rep_id, day=day, **counts) for day, counts in days.items()],
                batch_size=UPDATE_CHUNK,
            )
            MonthlyActivity.objects.filter(rep_id=rep_id).delete()
            MonthlyActivity.objects.bulk_create(
                [MonthlyActivity(rep_id=rep_id, month=month, **counts) for month, counts in _months(days).items()],
                batch_size=UPDATE_CHUNK,
            )
        RollupState.objects.all().delete()
        RollupState.objects.create(daily_cap=caps.daily, helpful_pair_weekly_cap=caps.helpful_pair_weekly)
        caching.invalidate(caching.ACTIVITY_HISTORY)
    return read


def ensure_counted_with_current_caps(progress=None) -> bool:
    """Re-counts history when the caps in the settings differ from those the counts were made
    with (run after ``migrate``: caps come from the environment, so they change with a deploy).
    Returns whether it re-counted."""
    caps = Caps.current()
    state = RollupState.objects.order_by("-pk").first()
    if state is not None and Caps(state.daily_cap, state.helpful_pair_weekly_cap) == caps:
        return False
    rebuild(caps=caps, progress=progress)
    return True


def counts_between(start: date, end: date) -> dict[int, dict[str, int]]:
    """Each rep's counted events per kind from ``start`` to ``end`` (both included), in one query:
    the whole months from ``MonthlyActivity``, the days at either ragged end from ``DailyActivity``.
    Reps without counts are left out.
    """
    first_full, after_full = start if start.day == 1 else next_month(start), month_of(end + timedelta(days=1))
    parts, day_ranges = [], [(start, end)]
    if first_full < after_full:
        parts.append(MonthlyActivity.objects.filter(month__gte=first_full, month__lt=after_full))
        day_ranges = [(start, first_full - timedelta(days=1)), (after_full, end)]
    edges = Q()
    for first, last in day_ranges:
        if first <= last:
            edges |= Q(day__gte=first, day__lte=last)
    if edges:
        parts.append(DailyActivity.objects.filter(edges))
    per_verb = {verb: Sum(verb) for verb in VERBS}
    grouped = [part.values_list("rep_id").annotate(**per_verb).order_by() for part in parts]
    counts: dict[int, dict[str, int]] = {}
    for rep_id, *totals in grouped[0].union(*grouped[1:], all=True) if len(grouped) > 1 else grouped[0]:
        _add(counts, rep_id, dict(zip(VERBS, totals, strict=True)))
    return counts


def _add(counts: dict[int, dict[str, int]], rep_id: int, more: dict[str, int]) -> None:
    if rep_id in counts:
        for verb, count in more.items():
            counts[rep_id][verb] += count
    else:
        counts[rep_id] = dict(more)


# Counts of days before today change only when a recount reaches back (a back-dated import, an
# old event deleted, a cap changed), which moves this version; a restore empties the cache.
HISTORY_SECONDS = 600


def board_counts(start: date, end: date) -> dict[int, dict[str, int]]:
    """Everyone's counted events per kind in the period: the days before today from the cache,
    today's (where the new events land) read from the table."""
    today = timezone.localdate()
    if start >= today:
        return counts_between(start, end)
    last = min(end, today - timedelta(days=1))
    history = caching.cached(
        caching.ACTIVITY_HISTORY, lambda: counts_between(start, last), key=f"{start}:{last}", timeout=HISTORY_SECONDS
    )
    counts = {rep_id: dict(kinds) for rep_id, kinds in history.items()}
    if end >= today:
        for rep_id, kinds in counts_between(today, end).items():
            _add(counts, rep_id, kinds)
    return counts
