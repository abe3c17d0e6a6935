"""The daily roll-ups the board reads: always what a recount from the raw events gives."""

import random
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from leaderboard import activity, rollups
from leaderboard.models import ActivityEvent, DailyActivity, MonthlyActivity, RollupState
from leaderboard.scoring import Period, leaderboard, weights_for

from .factories import make_rep

Verb = ActivityEvent.Verb
pytestmark = pytest.mark.django_db
RECEIVED = {Verb.HELPFUL_RECEIVED, Verb.COACHING_RECEIVED, Verb.CONTENT_VIEWED}


def recount_from_raw_events(daily_cap: int, pair_cap: int) -> tuple[Counter, dict[int, str]]:
    """The fair-play rules applied to every event from scratch, written out plainly: the
    counted events per (rep, day, kind), and the reason each event is left out ("" if counted)."""
    events = list(ActivityEvent.objects.order_by("created_at", "pk"))
    counted: list[ActivityEvent] = []
    reasons: dict[int, str] = {}
    for event in events:
        day = timezone.localtime(event.created_at).date()
        same_day = [
            other
            for other in counted
            if other.rep_id == event.rep_id
            and other.verb == event.verb
            and timezone.localtime(other.created_at).date() == day
        ]
        same_pair = [
            other
            for other in counted
            if other.verb == Verb.HELPFUL_RECEIVED
            and other.rep_id == event.rep_id
            and other.actor_id == event.actor_id
            and other.created_at >= event.created_at - timedelta(days=7)
        ]
        if event.owner_id == event.actor_id and not event.verb.startswith("shared_"):
            reasons[event.pk] = "own_content"
        elif len(same_day) >= daily_cap:
            reasons[event.pk] = "daily_cap"
        elif event.verb == Verb.HELPFUL_RECEIVED and len(same_pair) >= pair_cap:
            reasons[event.pk] = "pair_cap"
        else:
            reasons[event.pk] = ""
            counted.append(event)
    cells = Counter((e.rep_id, timezone.localtime(e.created_at).date(), e.verb) for e in counted)
    return cells, reasons


def rolled_up() -> Counter:
    cells = Counter()
    for row in DailyActivity.objects.all():
        for verb in Verb.values:
            if getattr(row, verb):
                cells[row.rep_id, row.day, verb] = getattr(row, verb)
    return cells


def rolled_up_months() -> Counter:
    cells = Counter()
    for row in MonthlyActivity.objects.all():
        for verb in Verb.values:
            if getattr(row, verb):
                cells[row.rep_id, row.month, verb] = getattr(row, verb)
    return cells


def per_month(cells: Counter) -> Counter:
    months = Counter()
    for (rep_id, day, verb), count in cells.items():
        months[rep_id, day.replace(day=1), verb] += count
    return months


def _random_event(rng: random.Random, reps, now) -> ActivityEvent:
    actor, owner = rng.choice(reps), rng.choice(reps)
    verb = rng.choice(Verb.values)
    rep = owner if verb in RECEIVED else actor
    # Mostly the last twelve days, where the caps bite; now and then up to three months back,
    # so that events land in several months and periods start and end inside months.
    days = rng.randint(0, 12) if rng.random() < 0.8 else rng.randint(13, 95)
    when = now - timedelta(days=days, hours=rng.randint(0, 23), minutes=rng.randint(0, 59))
    return ActivityEvent(actor=actor, rep=rep, owner=owner, verb=verb, created_at=when)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_roll_up_equals_a_recount_after_random_inserts_deletes_imports_and_cap_changes(settings, seed):
    """Whatever order events arrive, go or are imported in, and whatever the caps become, the
    daily and monthly counts and each event's verdict match a recount of the raw events from
    scratch, and so does the board for any period, whole months or not."""
    rng = random.Random(seed)
    settings.LEADERBOARD_DAILY_CAP, settings.LEADERBOARD_HELPFUL_PAIR_WEEKLY_CAP = 2, 2
    reps = [make_rep(f"rep{n}") for n in range(3)]
    now = timezone.now()
    for _step in range(120):
        move = rng.random()
        if move < 0.55:
            event = _random_event(rng, reps, now)
            activity.record(event.verb, actor=event.actor, owner=event.owner, when=event.created_at)
        elif move < 0.75:
            victim = ActivityEvent.objects.order_by("?").first()
            if victim is not None:
                victim.delete()
        elif move < 0.9:
            batch = ActivityEvent.objects.bulk_create([_random_event(rng, reps, now) for _ in range(rng.randint(1, 6))])
            rollups.events_imported(batch)
        else:
            settings.LEADERBOARD_DAILY_CAP = rng.randint(1, 4)
            settings.LEADERBOARD_HELPFUL_PAIR_WEEKLY_CAP = rng.randint(1, 3)
            rollups.ensure_counted_with_current_caps()
    caps = rollups.Caps.current()
    cells, reasons = recount_from_raw_events(caps.daily, caps.helpful_pair_weekly)
    assert sum(cells.values()) > 20, "the sequence should leave a fair number of counted events"
    assert rolled_up() == cells
    assert rolled_up_months() == per_month(cells)
    assert len({day.replace(day=1) for _rep, day, _verb in cells}) >= 3, "counts should span months"
    assert dict(ActivityEvent.objects.values_list("pk", "skipped")) == reasons
    # And the board shows exactly that, weighted, for periods cut anywhere.
    weights = weights_for().weights()
    today = timezone.localdate()
    for _ in range(8):
        start = today - timedelta(days=rng.randint(0, 100))
        end = start + timedelta(days=rng.randint(0, 70))
        for row in leaderboard(Period(start, end)):
            expected = sum(
                weights[verb] * count
                for (rep_id, day, verb), count in cells.items()
                if rep_id == row.user_id and start <= day <= end
            )
            assert row.score == expected, (start, end)


def test_raising_the_daily_cap_counts_what_was_left_out(rep, settings):
    """Lowering a cap takes old events out of the score; raising it again gives them back."""
    settings.LEADERBOARD_DAILY_CAP = 5
    for _ in range(4):
        activity.record(Verb.SHARED_TIP, actor=rep, owner=rep)
    period = Period(timezone.localdate(), timezone.localdate())
    assert _tips(leaderboard(period), rep) == 4
    settings.LEADERBOARD_DAILY_CAP = 2
    assert rollups.ensure_counted_with_current_caps()
    assert _tips(leaderboard(period), rep) == 2
    assert ActivityEvent.objects.filter(skipped="daily_cap").count() == 2
    settings.LEADERBOARD_DAILY_CAP = 10
    assert rollups.ensure_counted_with_current_caps()
    assert not rollups.ensure_counted_with_current_caps()  # nothing to do the second time
    assert _tips(leaderboard(period), rep) == 4


def test_a_back_dated_event_reaches_a_board_already_viewed(rep):
    """The days before today are kept between views; an event dated weeks back, or one deleted,
    shows on the very next view all the same."""
    now = timezone.now()
    period = Period(timezone.localdate() - timedelta(days=60), timezone.localdate())
    activity.record(Verb.SHARED_TIP, actor=rep, owner=rep, when=now - timedelta(days=3))
    assert _tips(leaderboard(period), rep) == 1
    old = activity.record(Verb.SHARED_TIP, actor=rep, owner=rep, when=now - timedelta(days=45))
    assert _tips(leaderboard(period), rep) == 2
    activity.record(Verb.SHARED_TIP, actor=rep, owner=rep)  # today's, read live
    assert _tips(leaderboard(period), rep) == 3
    old.delete()
    assert _tips(leaderboard(period), rep) == 2


def _tips(board, user) -> int:
    return next(row for row in board if row.user_id == user.pk).parts["tips"]


def test_an_event_dated_in_the_past_takes_its_place_in_that_day(rep, settings):
    """A back-dated event that arrives late counts before the later ones of its day."""
    settings.LEADERBOARD_DAILY_CAP = 1
    # Noon, so that an hour earlier is still the same day whenever the suite runs (it failed at 00:20).
    day = (timezone.localtime() - timedelta(days=3)).replace(hour=12, minute=0)
    late = activity.record(Verb.SHARED_TIP, actor=rep, owner=rep, when=day)
    early = activity.record(Verb.SHARED_TIP, actor=rep, owner=rep, when=day - timedelta(hours=1))
    late.refresh_from_db()
    early.refresh_from_db()
    assert (early.skipped, late.skipped) == ("", "daily_cap")
    assert DailyActivity.objects.get(rep=rep).shared_tip == 1


def test_rebuild_command_shows_progress_and_a_summary(rep):
    ActivityEvent.objects.bulk_create(
        [ActivityEvent(actor=rep, rep=rep, owner=rep, verb=Verb.SHARED_TIP) for _ in range(3)]
    )
    assert not DailyActivity.objects.exists()  # bulk inserts send no signals
    out, err = StringIO(), StringIO()
    call_command("rebuild_rollups", stdout=out, stderr=err)
    assert "Re-counted 3 events of 1 rep" in out.getvalue()
    assert "Reps" in err.getvalue()
    assert DailyActivity.objects.get(rep=rep).shared_tip == 3
    assert RollupState.objects.get().daily_cap == rollups.Caps.current().daily


def test_deleting_a_rep_removes_their_counts_and_keeps_others(rep, other_rep):
    activity.record(Verb.SHARED_TIP, actor=rep, owner=rep)
    activity.record(Verb.COMMENTED, actor=rep, owner=other_rep)
    activity.record(Verb.SHARED_TIP, actor=other_rep, owner=other_rep)
    rep.delete()
    assert list(DailyActivity.objects.values_list("rep_id", "shared_tip")) == [(other_rep.pk, 1)]


def test_former_reps_leave_the_board_unless_a_manager_asks(manager_client, rep, other_rep):
    activity.record(Verb.SHARED_TIP, actor=rep, owner=rep)
    activity.record(Verb.SHARED_TIP, actor=other_rep, owner=other_rep)
    rep.is_active = False
    rep.save()
    url = reverse("leaderboard")
    page = manager_client.get(url).content.decode()
    assert reverse("leaderboard_rep", args=[other_rep.username]) in page
    assert reverse("leaderboard_rep", args=[rep.username]) not in page
    page = manager_client.get(url, {"former": "on"}).content.decode()
    assert reverse("leaderboard_rep", args=[rep.username]) in page
    assert "former rep" in page
