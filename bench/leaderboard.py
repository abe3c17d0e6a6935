"""Times the leaderboard page against its own SQL run bare, and the deal import against a bare
``bulk_create`` of the same rows; measures the import's peak memory in a child process.

    python bench/leaderboard.py [--reps 1000] [--deals 100000] [--events 1000000] [--views 1000000]
                                [--rows 100000] [--repeat 7] [--existing]

Uses DATABASE_URL (default: a throwaway SQLite file under /tmp). Without ``--existing`` it
fills that database with a leaderboard-sized data set (reps, deals, events, views) unless it
is already there; with ``--existing`` it uses data from ``seed_demo --size large`` as it is.
Targets: page/bare SQL <= 1.5x, import/bulk_create <= 2x, import peak memory < 300 MB.
"""

import argparse
import csv
import datetime
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

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from config.spreadsheets import safe_row  # noqa: E402
from knowledge.progress import progress  # noqa: E402
from leaderboard.importing import import_deals, read_rows  # noqa: E402
from leaderboard.models import ActivityEvent, Deal, RepProfile, Team  # noqa: E402

BATCH = 10_000


def ensure_data(args) -> None:
    """A leaderboard-sized data set: reps with profiles, deals, activity and views over a year."""
    User = get_user_model()
    rng = random.Random(11)
    if User.objects.filter(username__startswith="bench").count() < args.reps:
        teams = [Team.objects.get_or_create(name=name)[0] for name in ("East", "West", "Central")]
        have = set(
            User.objects.filter(username__startswith="bench").values_list("username", flat=True)
        )
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
                RepProfile(user_id=pk, team=teams[pk % 3], start_date=datetime.date(2020, 1, 1))
                for pk in ids
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
    rep_ids = list(RepProfile.objects.values_list("user_id", flat=True))
    today = timezone.localdate()
    from knowledge.models import Account

    accounts = list(Account.objects.values_list("pk", flat=True))
    if not accounts:
        Account.objects.bulk_create([Account(name=f"Bench account {n}") for n in range(2000)])
        accounts = list(Account.objects.values_list("pk", flat=True))
    missing = args.deals - Deal.objects.filter(crm_id__startswith="BENCH-").count()
    if missing > 0:
        for start in progress(
            range(0, missing, BATCH), "Deals", total=(missing + BATCH - 1) // BATCH
        ):
            Deal.objects.bulk_create(
                [
                    Deal(
                        crm_id=f"BENCH-{n:07d}",
                        name=f"Bench deal {n}",
                        owner_id=rng.choice(rep_ids),
                        account_id=rng.choice(accounts),
                        amount=Decimal(rng.randrange(10, 2000) * 100),
                        status=rng.choice(["won", "lost", "open"]),
                        close_date=today - datetime.timedelta(days=rng.randint(0, 365)),
                    )
                    for n in range(start, min(start + BATCH, missing))
                ]
            )
        # bulk_create skips Deal.save(): convert once, as an import does (all USD here).
        Deal.objects.filter(amount_reporting__isnull=True).convert_amounts()
    wanted = args.events + args.views
    missing = wanted - ActivityEvent.objects.count()
    if missing > 0:
        now = timezone.now()
        verbs = [
            verb for verb in ActivityEvent.Verb.values if verb != ActivityEvent.Verb.CONTENT_VIEWED
        ]
        # Events arrive in time order, as on a live site: index inserts append instead of
        # landing at random places (which makes SQLite crawl once the index outgrows its cache).
        step = 365 * 86400 / missing
        first = now - datetime.timedelta(days=365)
        for start in progress(
            range(0, missing, BATCH), "Events", total=(missing + BATCH - 1) // BATCH
        ):
            batch = []
            for offset in range(min(BATCH, missing - start)):
                actor, owner = rng.choice(rep_ids), rng.choice(rep_ids)
                is_view = rng.random() < args.views / wanted
                verb = ActivityEvent.Verb.CONTENT_VIEWED if is_view else rng.choice(verbs)
                batch.append(
                    ActivityEvent(
                        actor_id=actor,
                        rep_id=owner if is_view else actor,
                        owner_id=owner,
                        verb=verb,
                        account_id=rng.choice(accounts) if is_view else None,
                        created_at=first + datetime.timedelta(seconds=(start + offset) * step),
                    )
                )
            with transaction.atomic():
                ActivityEvent.objects.bulk_create(batch, batch_size=2000)


def time_page(args) -> None:
    User = get_user_model()
    manager = (
        User.objects.filter(groups__name="Managers").first()
        or User.objects.filter(is_superuser=True).first()
    )
    if manager is None:
        from django.contrib.auth.models import Group

        manager = User.objects.create_user("bench-manager")
        manager.groups.set([Group.objects.get(name="Managers")])
    client = Client()
    client.force_login(manager)
    url = "/leaderboard/?period=ytd"
    captured: list[tuple[str, object]] = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    client.get(url, HTTP_HOST="127.0.0.1")  # warm caches and the settings row
    with connection.execute_wrapper(capture):
        response = client.get(url, HTTP_HOST="127.0.0.1")
    assert response.status_code == 200, response.status_code
    page_times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        client.get(url, HTTP_HOST="127.0.0.1")
        page_times.append(time.perf_counter() - started)
    bare_times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for sql, params in captured:
                cursor.execute(sql, params)
                cursor.fetchall()
        bare_times.append(time.perf_counter() - started)
    page, bare = statistics.median(page_times), statistics.median(bare_times)
    say(
        f"Leaderboard page ({ActivityEvent.objects.count():,} events, "
        f"{Deal.objects.count():,} deals, {RepProfile.objects.count():,} reps): "
        f"{len(captured)} queries"
    )
    say(
        f"  page median {page * 1000:.0f} ms, its SQL bare {bare * 1000:.0f} ms: "
        f"ratio {page / bare:.2f}x (target <= 1.5x)"
    )


def say(line: str) -> None:
    sys.stdout.write(line + "\n")


def write_csv(path: Path, rows: int) -> None:
    rng = random.Random(12)
    reps = list(
        get_user_model()
        .objects.filter(rep_profile__isnull=False)
        .values_list("first_name", "last_name")[:200]
    )
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
                safe_row([
                    f"{first} {last}",
                    f"Bench account {n % 2000}",
                    f"Imported deal {n}",
                    f"${rng.randrange(10, 2000) * 100:,}.00",
                    f"{rng.randint(1, 12)}/{rng.randint(1, 28)}/2026",
                    rng.choice(["Closed Won", "Closed Lost", "Negotiation"]),
                    f"IMP-{n:07d}",
                ])
            )


def _delete_imported() -> None:
    Deal.objects.filter(crm_id__startswith="IMP-").delete()


def time_import(args, path: Path) -> None:
    _delete_imported()
    started = time.perf_counter()
    report = import_deals(read_rows(path))
    imported = time.perf_counter() - started
    assert report.created == args.rows, report.summary()
    # The same rows, parsed beforehand, written by a bare bulk_create in the same batch size.
    deals = list(Deal.objects.filter(crm_id__startswith="IMP-").order_by("pk"))
    for deal in deals:
        deal.pk = None
    _delete_imported()
    started = time.perf_counter()
    for start in range(0, len(deals), 1000):
        Deal.objects.bulk_create(deals[start : start + 1000], batch_size=500)
    bare = time.perf_counter() - started
    again = time.perf_counter()
    rerun = import_deals(read_rows(path))
    reimport = time.perf_counter() - again
    say(
        f"Import of {args.rows:,} rows: {imported:.1f}s ({args.rows / imported:,.0f} rows/s); "
        f"bare bulk_create {bare:.1f}s: ratio {imported / bare:.2f}x (target <= 2x)"
    )
    say(
        f"  re-import of the same file: {reimport:.1f}s, {rerun.unchanged:,} unchanged, "
        f"{rerun.created} created"
    )
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
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--views", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--existing", action="store_true", help="Use the database's data as it is.")
    parser.add_argument("--only", choices=["page", "import", "memory"], help="Run one measurement.")
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return
    call_command("migrate", verbosity=0)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # a bigger page cache for building the data set
            cursor.execute("PRAGMA cache_size = -400000")
    if not args.existing:
        ensure_data(args)
    if args.only in (None, "page"):
        time_page(args)
    if args.only == "page":
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "opportunities.csv"
        write_csv(path, args.rows)
        if args.only in (None, "import"):
            time_import(args, path)
        measure_memory(path)


if __name__ == "__main__":
    main()
