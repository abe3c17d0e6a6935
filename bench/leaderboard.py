"""Times the leaderboard's pages against the query a person writes first, and the deal import
against a bare ``bulk_create`` of the same CSV; measures the import's peak memory in a child.

    python bench/leaderboard.py [--reps 1000] [--deals 100000] [--events 2000000] [--years 3]
                                [--samples 30] [--import-rows 2000] [--rows 100000] [--existing]
                                [--only data|page|import|memory]

Uses DATABASE_URL (default: a SQLite file under /tmp, kept for later runs). Without
``--existing`` it fills that database with a leaderboard-sized data set (1,000 reps with
profiles, deals, events half of which are views, over three years) unless it is already there,
and counts it into the roll-ups once; with ``--existing`` it uses ``seed_demo --size large``.

Pages: the board (a manager's, year to date and last 30 days), one rep's page and the analysis.
The baseline is a plain aggregate of the period's raw events per rep and kind. Every side gets
the same treatment: ``--samples`` timed views each, the sides taken in turn and the order
rotated every round; *first* views follow an emptied cache (what a reader meets after a change),
*warm* views a kept one. The database's own page cache is left as it is for both. Pages are
timed with DEBUG off, as production serves them.
Import: ``import_deals`` of a CSV against parsing the same CSV into ``Deal`` rows and a bare
``bulk_create`` (both build their rows inside the timing), alternated, ``--samples`` each.
Targets: each page <= 100 ms at 2,000,000 events, import <= 2x, import peak memory < 300 MB.
"""

import argparse
import csv
import datetime
import gc
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/huddle_bench_leaderboard.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("TASKS_BACKEND", "immediate")
os.environ.setdefault("SEMANTIC_SEARCH", "false")
# Filling 10,000,000 events and the VACUUM after take longer than a page's 20 s limit (a limit only:
# it changes no timing).
os.environ.setdefault("DB_STATEMENT_TIMEOUT", "0")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from config.spreadsheets import safe_row  # noqa: E402
from knowledge.progress import progress  # noqa: E402
from leaderboard import rollups  # noqa: E402
from leaderboard.importing import import_deals, read_rows  # noqa: E402
from leaderboard.models import ActivityEvent, Deal, RepProfile, RollupState, Team  # noqa: E402
from leaderboard.scoring import PeriodKey, period_for  # noqa: E402

BATCH = 10_000


def ensure_data(args) -> None:
    """A leaderboard-sized data set: reps with profiles, deals, activity and views spread over
    ``--years`` up to now, counted into the roll-ups; made once and reused by later runs."""
    User = get_user_model()
    rng = random.Random(11)
    if User.objects.filter(username__startswith="bench").count() < args.reps:
        teams = [Team.objects.get_or_create(name=name)[0] for name in ("East", "West", "Central")]
        have = set(User.objects.filter(username__startswith="bench").values_list("username", flat=True))
        users = [
            User(
                username=f"bench{n:04d}",
                first_name="Bench",
                last_name=f"Rep {n}",
                email=f"bench{n:04d}@huddle.example",
            )
            for n in range(args.reps)
            if f"bench{n:04d}" not in have
        ]
        User.objects.bulk_create(users, batch_size=1000)
        ids = list(User.objects.filter(username__startswith="bench").values_list("pk", flat=True))
        RepProfile.objects.bulk_create(
            [
                RepProfile(user_id=pk, team=teams[pk % 3], start_date=datetime.date(2015 + pk % 11, 1 + pk % 12, 1))
                for pk in ids
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
    rep_ids = list(RepProfile.objects.values_list("user_id", flat=True))
    today = timezone.localdate()
    days = int(365 * args.years)
    from knowledge.models import Account

    accounts = list(Account.objects.values_list("pk", flat=True))
    if not accounts:
        Account.objects.bulk_create([Account(name=f"Bench account {n}") for n in range(2000)])
        accounts = list(Account.objects.values_list("pk", flat=True))
    missing = args.deals - Deal.objects.filter(crm_id__startswith="BENCH-").count()
    if missing > 0:
        for start in progress(range(0, missing, BATCH), "Deals", total=(missing + BATCH - 1) // BATCH):
            Deal.objects.bulk_create(
                [
                    Deal(
                        crm_id=f"BENCH-{n:07d}",
                        name=f"Bench deal {n}",
                        owner_id=rng.choice(rep_ids),
                        account_id=rng.choice(accounts),
                        amount=Decimal(rng.randrange(10, 2000) * 100),
                        status=rng.choice(["won", "lost", "open"]),
                        close_date=today - datetime.timedelta(days=rng.randint(0, days)),
                    )
                    for n in range(start, min(start + BATCH, missing))
                ]
            )
        # bulk_create skips Deal.save(): convert once, as an import does (all USD here).
        Deal.objects.filter(amount_reporting__isnull=True).convert_amounts()
    missing = args.events - ActivityEvent.objects.count()
    if missing > 0 and connection.vendor == "postgresql":
        _insert_events_in_sql(missing, rep_ids, accounts, days)
        RollupState.objects.all().delete()
    elif missing > 0:
        now = timezone.now()
        verbs = [verb for verb in ActivityEvent.Verb.values if verb != ActivityEvent.Verb.CONTENT_VIEWED]
        # Events arrive in time order, as on a live site: index inserts append instead of
        # landing at random places (which makes SQLite crawl once the index outgrows its cache).
        step = days * 86400 / missing
        first = now - datetime.timedelta(days=days)
        for start in progress(range(0, missing, BATCH), "Events", total=(missing + BATCH - 1) // BATCH):
            batch = []
            for offset in range(min(BATCH, missing - start)):
                actor, owner = rng.choice(rep_ids), rng.choice(rep_ids)
                # Half are views of a colleague's item (the owner's score, attribution's input).
                is_view = rng.random() < 0.5
                verb = ActivityEvent.Verb.CONTENT_VIEWED if is_view else rng.choice(verbs)
                batch.append(
                    ActivityEvent(
                        actor_id=actor,
                        rep_id=owner if is_view or verb.endswith("_received") else actor,
                        owner_id=owner,
                        verb=verb,
                        account_id=rng.choice(accounts) if is_view else None,
                        created_at=first + datetime.timedelta(seconds=(start + offset) * step),
                    )
                )
            with transaction.atomic():
                ActivityEvent.objects.bulk_create(batch, batch_size=2000)
        RollupState.objects.all().delete()
    if not RollupState.objects.exists():
        # Bulk inserts send no signals: count the whole history into the roll-ups once.
        rollups.rebuild(progress=lambda rep_ids, total: progress(rep_ids, "Counting", total=total))
        if connection.vendor == "postgresql":
            # What autovacuum does a while after bulk writes: statistics, and the visibility map
            # that lets the covering indexes answer alone.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")


def _insert_events_in_sql(missing: int, rep_ids: list[int], accounts: list[int], days: int) -> None:
    """The same events as the loop in ``ensure_data`` makes (half of them views of a colleague's
    item, evenly spread over ``days`` up to now, in time order), written by PostgreSQL itself:
    10,000,000 built in Python took hours on these machines. Filling only; nothing here is timed."""
    verbs = [verb for verb in ActivityEvent.Verb.values if verb != ActivityEvent.Verb.CONTENT_VIEWED]
    table = ActivityEvent._meta.db_table
    now = timezone.now()
    first = now - datetime.timedelta(days=days)
    step = days * 86400 / missing
    chunk = 500_000
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.11)")
        for start in progress(range(0, missing, chunk), "Events", total=(missing + chunk - 1) // chunk):
            with transaction.atomic():
                cursor.execute(
                    f"""
                    INSERT INTO {table} (actor_id, rep_id, owner_id, verb, account_id, skipped, created_at)
                    SELECT actor,
                           CASE WHEN is_view OR verb LIKE '%%_received' THEN owner ELSE actor END,
                           owner, verb, CASE WHEN is_view THEN account END, '',
                           %(first)s + n * %(step)s * interval '1 second'
                    FROM (
                        SELECT n, is_view,
                               (%(reps)s::int[])[1 + floor(random() * %(rep_count)s)::int] AS actor,
                               (%(reps)s::int[])[1 + floor(random() * %(rep_count)s)::int] AS owner,
                               (%(accounts)s::int[])[1 + floor(random() * %(account_count)s)::int] AS account,
                               CASE WHEN is_view THEN %(viewed)s
                                    ELSE (%(verbs)s::text[])[1 + floor(random() * %(verb_count)s)::int] END AS verb
                        FROM (SELECT n, random() < 0.5 AS is_view
                              FROM generate_series(%(start)s, %(end)s) AS n) AS numbered
                    ) AS made
                    ORDER BY n
                    """,
                    {
                        "first": first,
                        "step": step,
                        "reps": rep_ids,
                        "rep_count": len(rep_ids),
                        "accounts": accounts,
                        "account_count": len(accounts),
                        "viewed": ActivityEvent.Verb.CONTENT_VIEWED,
                        "verbs": verbs,
                        "verb_count": len(verbs),
                        "start": start,
                        "end": min(start + chunk, missing) - 1,
                    },
                )


def _manager():
    from django.contrib.auth.models import Group

    User = get_user_model()
    manager = User.objects.filter(username="bench-manager").first()
    if manager is None:
        manager = User.objects.create_user("bench-manager")
        manager.groups.set([Group.objects.get(name="Managers")])
    return manager


def plain_aggregate(period) -> list:
    """The board as a person first writes it: counted events in the period per rep and kind."""
    start, after = period.datetimes()
    return list(
        ActivityEvent.objects.filter(created_at__gte=start, created_at__lt=after, skipped="")
        .values("rep_id", "verb")
        .annotate(count=Count("pk"))
        .order_by()
    )


def _queries(run) -> int:
    count = 0

    def counted(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        run()
    return count


def _load() -> str:
    return "/".join(f"{figure:.1f}" for figure in os.getloadavg())


def _rounds(sides: dict, samples: int, *, before_each) -> dict[str, list[tuple[float, float]]]:
    """``samples`` timed runs of every side, in turn, the order rotated each round: (wall, CPU)."""
    names = list(sides)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    for round_number in range(samples):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            before_each()
            gc.collect()
            started, cpu = time.perf_counter(), time.process_time()
            sides[name]()
            times[name].append((time.perf_counter() - started, time.process_time() - cpu))
    return times


def _median(times: list[tuple[float, float]]) -> float:
    return statistics.median(wall for wall, _cpu in times)


def _summary(times: list[tuple[float, float]]) -> str:
    walls = sorted(wall for wall, _cpu in times)
    cpu = statistics.median(cpu for _wall, cpu in times)
    return (
        f"median {statistics.median(walls) * 1000:.0f} ms, p90 {walls[int(len(walls) * 0.9)] * 1000:.0f} ms "
        f"(this process's CPU {cpu * 1000:.0f} ms)"
    )


def time_page(args) -> None:
    rep = (
        get_user_model()
        .objects.filter(rep_profile__isnull=False, is_active=True)
        .order_by("pk")
        .values_list("username", flat=True)[args.reps // 2]
    )
    client = Client()
    client.force_login(_manager())
    year, month = period_for(PeriodKey.YEAR_TO_DATE), period_for(PeriodKey.LAST_30)

    def view(url):
        def get():
            response = client.get(url, HTTP_HOST="127.0.0.1")
            assert response.status_code == 200, (url, response.status_code)

        return get

    pages = {
        "board, year to date": view(reverse("leaderboard") + "?period=ytd"),
        "board, last 30 days": view(reverse("leaderboard") + "?period=last_30"),
        "rep page, year to date": view(reverse("leaderboard_rep", args=[rep]) + "?period=ytd"),
        "analysis, year to date": view(reverse("leaderboard_analysis") + "?period=ytd"),
    }
    baselines = {"year to date": lambda: plain_aggregate(year), "last 30 days": lambda: plain_aggregate(month)}
    sides = {f"baseline, {name}": run for name, run in baselines.items()} | pages
    say(
        f"Leaderboard on {connection.vendor} with {ActivityEvent.objects.count():,} events, "
        f"{Deal.objects.count():,} deals, {RepProfile.objects.count():,} reps; {args.samples} samples a side, "
        f"sides alternated; load average {_load()} (2 cores, shared)"
    )
    for run in sides.values():
        run()  # the site, permissions and the settings row exist, as on a running site
    counts = {name: _queries(run) for name, run in pages.items()}
    say("  baseline: the period's counted events per rep and kind, one grouped query over the raw events")
    for treatment, before_each in (("warm", lambda: None), ("first", cache.clear)):
        times = _rounds(sides, args.samples, before_each=before_each)
        explained = "cache kept" if treatment == "warm" else "cache emptied before every run of every side"
        say(f"  {treatment} ({explained}); load average now {_load()}:")
        for name in baselines:
            say(f"    baseline, {name}: {_summary(times[f'baseline, {name}'])}")
        for name in pages:
            base = _median(times["baseline, last 30 days" if "30" in name else "baseline, year to date"])
            ratio = _median(times[name]) / base
            say(f"    {name}: {_summary(times[name])}, {ratio:.2f}x its baseline, {counts[name]} queries warm")


def say(line: str) -> None:
    sys.stdout.write(line + "\n")


def write_csv(path: Path, rows: int) -> None:
    rng = random.Random(12)
    reps = list(get_user_model().objects.filter(rep_profile__isnull=False).values_list("first_name", "last_name")[:200])
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "Opportunity Owner",
                "Account Name",
                "Opportunity Name",
                "Amount",
                "Close Date",
                "Stage",
                "Opportunity ID",
            ]
        )
        for n in range(rows):
            first, last = rng.choice(reps) if reps else ("Nobody", "Known")
            writer.writerow(
                safe_row(
                    [
                        f"{first} {last}",
                        f"Bench account {n % 2000}",
                        f"Imported deal {n}",
                        f"${rng.randrange(10, 2000) * 100:,}.00",
                        f"{rng.randint(1, 12)}/{rng.randint(1, 28)}/2026",
                        rng.choice(["Closed Won", "Closed Lost", "Negotiation"]),
                        f"IMP-{n:07d}",
                    ]
                )
            )


def _delete_imported() -> None:
    Deal.objects.filter(crm_id__startswith="IMP-").delete()


def bare_import(path: Path) -> int:
    """The CSV read into ``Deal`` rows as a person first writes it, and written by bulk_create."""
    User = get_user_model()
    from knowledge.models import Account

    owners = {f"{first} {last}": pk for pk, first, last in User.objects.values_list("pk", "first_name", "last_name")}
    accounts = dict(Account.objects.values_list("name", "pk"))
    statuses = {"Closed Won": Deal.Status.WON, "Closed Lost": Deal.Status.LOST}
    deals = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            deals.append(
                Deal(
                    crm_id=row["Opportunity ID"],
                    name=row["Opportunity Name"],
                    account_id=accounts.get(row["Account Name"]),
                    account_name=row["Account Name"],
                    owner_id=owners.get(row["Opportunity Owner"]),
                    owner_name=row["Opportunity Owner"],
                    amount=Decimal(row["Amount"].lstrip("$").replace(",", "")),
                    close_date=datetime.datetime.strptime(row["Close Date"], "%m/%d/%Y").date(),
                    stage=row["Stage"],
                    status=statuses.get(row["Stage"], Deal.Status.OPEN),
                )
            )
    with transaction.atomic():
        Deal.objects.bulk_create(deals, batch_size=500)
    return len(deals)


def time_import(args, path: Path) -> None:
    rows = args.import_rows
    sides = {
        "import_deals": lambda: import_deals(read_rows(path)),
        "bare bulk_create": lambda: bare_import(path),
    }
    _delete_imported()
    times = _rounds(sides, args.samples, before_each=_delete_imported)
    _delete_imported()
    imported, bare = _median(times["import_deals"]), _median(times["bare bulk_create"])
    say(f"Import of {rows:,} CSV rows, {args.samples} samples a side, alternated; load average {_load()}:")
    say(f"  import_deals {_summary(times['import_deals'])} ({rows / imported:,.0f} rows/s)")
    say(f"  bare: parse the CSV, build Deal rows, bulk_create: {_summary(times['bare bulk_create'])}")
    say(f"  ratio {imported / bare:.2f}x (target <= 2x)")
    import_deals(read_rows(path))
    again = time.perf_counter()
    rerun = import_deals(read_rows(path))
    say(f"  re-import of the same file: {(time.perf_counter() - again) * 1000:.0f} ms, {rerun.unchanged:,} unchanged")
    _delete_imported()


def measure_memory(path: Path) -> None:
    _delete_imported()
    child = subprocess.run(
        [sys.executable, __file__, "--memory-child", str(path)],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ.copy(),
    )
    say(child.stdout.strip())
    _delete_imported()


def _peak_rss_mb() -> float:
    """This process's peak resident memory: VmHWM starts afresh at exec, unlike ru_maxrss,
    which a child started by a big parent inherits."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def memory_child(path: str) -> None:
    import tracemalloc

    before = _peak_rss_mb()
    tracemalloc.start()
    report = import_deals(read_rows(path))
    _current, peak = tracemalloc.get_traced_memory()
    say(
        f"Import peak memory: {peak / 1e6:.0f} MB allocated by Python (tracemalloc), "
        f"process peak RSS {_peak_rss_mb():.0f} MB ({before:.0f} MB before the import) "
        f"for {report.created:,} rows (target < 300 MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=2_000_000, help="activity events, half of them views")
    parser.add_argument("--years", type=float, default=3.0, help="how far back the events and deals reach")
    parser.add_argument("--samples", type=int, default=30, help="timed runs of each side")
    parser.add_argument("--import-rows", type=int, default=2000, help="CSV rows per timed import")
    parser.add_argument("--rows", type=int, default=100_000, help="CSV rows for the memory measurement")
    parser.add_argument("--existing", action="store_true", help="Use the database's data as it is.")
    parser.add_argument("--only", choices=["data", "page", "import", "memory"], help="Run one part.")
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return
    call_command("migrate", verbosity=0)
    if not args.existing:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:  # a bigger page cache for building the data set only
                cursor.execute("PRAGMA cache_size = -400000")
        ensure_data(args)
        connection.close()  # timing starts on a fresh connection with the default settings
    if args.only == "data":
        return
    if args.only in (None, "page"):
        # As in production: DEBUG off (no query log, no template debug information).
        with override_settings(DEBUG=False):
            time_page(args)
    if args.only == "page":
        return
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        if args.only in (None, "import"):
            write_csv(folder / "timed.csv", args.import_rows)
            time_import(args, folder / "timed.csv")
        if args.only in (None, "memory"):
            write_csv(folder / "opportunities.csv", args.rows)
            measure_memory(folder / "opportunities.csv")


if __name__ == "__main__":
    main()
