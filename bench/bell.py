"""The bell's live count for 50 signed-in people: htmx polling against server-sent events.

    python bench/bell.py [--users 50] [--interval 10] [--compress 5] [--seconds 60]

Starts, on 127.0.0.1 only: a fresh PostgreSQL database (huddle_bell_bench), Redis (a database
number of its own on the shared server) and gunicorn as production runs it (config/gunicorn.py,
4 sync workers), signs the simulated people in, then runs three times with the same people and
the same stream of new notifications (written in this process with ``notifications.recording.notify``,
as a mention or a helpful mark writes them, at ``--rate`` per compressed second to a random person):

    polling        each person GETs /notifications/bell/ every --interval seconds (the product)
    sse, sync      each person holds GET /bench/bell-stream/ open (bench/bell_stream.py), which
                   looks at the same cached count every --sse-tick seconds and pushes changes
    sse, gthread   the same stream on gunicorn's threaded workers (--threads per worker), the
                   fair chance for SSE on a WSGI server: one thread, not one process, per stream

Time is compressed by --compress on both sides: the polling interval and the SSE server's tick
are both divided by it, and so are the figures' minutes: CPU per person-minute and the latency
of a new notification are given in real time (measured x compress). The requests themselves are
not compressed, so a poll's own few milliseconds count --compress times too much in the latency.

While each run lasts, one more signed-in person GETs a page (/notifications/, a full page with
the header) every half second, to see whether the site still answers.

Prints per run: server CPU (gunicorn, PostgreSQL backends of this database, Redis) per
person-minute, worker slots taken (polling: requests/s x mean time, Little's law; SSE: streams
held open), the delay from a notification's commit to the person's screen (p50/p95), page
GETs' p50/p95 and failures, gunicorn's memory (PSS), and ratios to the polling run beside
the absolute figures. The machine is shared: the load average is printed with the figures.
"""

import argparse
import asyncio
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import _cpu_seconds, _processes, free_port  # noqa: E402 - needs ROOT on the path
from bench.processes import BenchDatabase, bench_env, log, run_manage, say, wait_until_healthy  # noqa: E402

PASSWORD = "huddle-bell-bench"
BELL_COUNT = re.compile(r'data-testid="bell-count">(\d+)\+?<')
PAGE = "/notifications/"


# --- the stack -----------------------------------------------------------------------------


class Stack:
    """PostgreSQL database, Redis database number, gunicorn: started and stopped by their own ids."""

    def __init__(self, args):
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="huddle-bell-"))
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.web: subprocess.Popen | None = None
        self.database = BenchDatabase("huddle_bell_bench")
        self.env = bench_env(
            self.tmp,
            database_url=self.database.url,
            DB_CONN_MAX_AGE="60",
            REDIS_URL=f"redis://127.0.0.1:6379/{args.redis_db}",
            TASKS_BACKEND="immediate",
            SEMANTIC_SEARCH="false",
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
            WEB_CONCURRENCY=str(args.workers),
            GUNICORN_ACCESS_LOG="",
            BENCH_SSE_TICK=str(args.sse_tick / args.compress),
            BENCH_TIMING_LOG=str(self.tmp / "timing.log"),  # each poll's time inside its worker
        )

    def fresh_database(self) -> None:
        import redis

        self.database.create()
        redis.Redis.from_url(self.env["REDIS_URL"]).flushdb()  # only this bench's database number
        started = time.monotonic()
        run_manage(self.env, "migrate", "--noinput", "-v0")
        log(f"migrated {self.database.name}: {time.monotonic() - started:.1f}s")

    def start_web(self, extra: list[str]) -> None:
        self.stop_web()
        out = (self.tmp / "gunicorn.log").open("a")
        self.web = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--config", "config/gunicorn.py", *extra],
            cwd=ROOT,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        wait_until_healthy(self.base_url, self.web, self.tmp / "gunicorn.log")

    def stop_web(self) -> None:
        if self.web is not None and self.web.poll() is None:
            self.web.send_signal(signal.SIGINT)  # quick shutdown: held streams never end by themselves
            try:
                self.web.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.web.kill()
                self.web.wait()
        self.web = None

    def stop(self) -> None:
        self.stop_web()
        if self.args.keep:
            log(f"kept database {self.database.name} and {self.tmp}")
            return
        self.database.drop()
        shutil.rmtree(self.tmp, ignore_errors=True)


def make_people(count: int) -> list[str]:
    """Reps to sign in as (one more than ``count``: the page prober)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from notifications.models import NotificationSettings

    User = get_user_model()
    password = make_password(PASSWORD)
    people = User.objects.bulk_create(
        User(username=f"bell{n:03d}", first_name="Bell", last_name=f"Rep {n}", password=password)
        for n in range(count + 1)
    )
    Group.objects.get(name="Reps").user_set.add(*people)
    # The first-run question answered: the header then asks nothing and the bench measures the bell.
    NotificationSettings.objects.bulk_create(NotificationSettings(user=user, first_run_done=True) for user in people)
    return [user.username for user in people]


# --- CPU and memory of the server ------------------------------------------------------------


class ServerMeter:
    """CPU seconds of gunicorn (master and workers), this database's PostgreSQL backends and Redis."""

    def __init__(self, stack: Stack):
        self.stack = stack
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.pss_peak = 0

    def read(self, first: bool = False) -> None:
        web = self.stack.web.pid
        pss = 0
        for pid, (parent, command) in _processes().items():
            ours = pid == web or parent == web
            database = command.startswith("postgres:") and f" {self.stack.database.name} " in command
            if not (ours or database or "redis-server" in command):
                continue
            seconds = _cpu_seconds(pid)
            self.first.setdefault(pid, seconds if first else 0.0)
            self.last[pid] = max(seconds, self.last.get(pid, 0.0))
            if ours:
                pss += _pss_kib(pid)
        self.pss_peak = max(self.pss_peak, pss)

    def spent(self) -> float:
        return sum(self.last[pid] - self.first[pid] for pid in self.last)


def _pss_kib(pid: int) -> int:
    """Proportional set size: shared pages counted once across the processes sharing them."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


# --- the people ------------------------------------------------------------------------------


@dataclass
class Run:
    name: str
    poll_times: list[float] = field(default_factory=list)
    poll_ids: int = 0
    worker_busy: float = 0.0  # seconds the workers spent on polls, from bench/timing.py's log
    page_times: list[float] = field(default_factory=list)
    page_failures: int = 0
    latencies: list[float] = field(default_factory=list)  # compressed seconds
    unseen: int = 0
    errors: int = 0
    streams_open: int = 0
    peak_streams: int = 0
    reconnects: int = 0
    cpu: float = 0.0
    pss_mib: float = 0.0
    seconds: float = 0.0


class Notifier:
    """Writes notifications and remembers when each one committed, to time its arrival."""

    def __init__(self, user_ids: dict[str, int]):
        self.user_ids = user_ids
        self.written: dict[str, list[float]] = {name: [] for name in user_ids}
        self.counted: dict[str, int] = dict.fromkeys(user_ids, 0)
        self.base: dict[str, int] = dict.fromkeys(user_ids, 0)

    def reset(self) -> None:
        for name in self.written:
            self.base[name] += len(self.written[name])
            self.written[name] = []
        self.counted = dict(self.base)

    def write_one(self, rng: random.Random) -> None:
        from django.contrib.auth import get_user_model

        from notifications.models import Kind
        from notifications.recording import notify

        name = rng.choice(list(self.user_ids))
        person = get_user_model()(pk=self.user_ids[name])
        notify([person], Kind.HELPFUL, summary="found your tip helpful (bench)", url="/")  # in the app only
        self.written[name].append(time.monotonic())

    def seen(self, name: str, count: int, when: float, run: Run) -> None:
        """The person's screen shows ``count``: every notification up to it has arrived."""
        while self.counted[name] < count:
            index = self.counted[name] - self.base[name]
            if index < len(self.written[name]):
                run.latencies.append(when - self.written[name][index])
            self.counted[name] += 1

    def missed(self) -> int:
        return sum(self.base[name] + len(self.written[name]) - self.counted[name] for name in self.written)


async def sign_in(client: httpx.AsyncClient, username: str) -> None:
    page = await client.get("/accounts/login/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = await client.post(
        "/accounts/login/", data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": csrf}
    )
    if response.status_code != 302:
        raise SystemExit(f"{username} could not sign in ({response.status_code})")


async def poll(client, name, interval, deadline, notifier: Notifier, run: Run, rng) -> None:
    await asyncio.sleep(rng.uniform(0, interval))  # browsers opened at different moments
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            run.poll_ids += 1
            response = await client.get(
                "/notifications/bell/", headers={"HX-Request": "true", "X-Bench-Id": f"{run.name[:4]}-{run.poll_ids}"}
            )
            response.raise_for_status()
        except httpx.HTTPError:
            run.errors += 1
        else:
            now = time.monotonic()
            run.poll_times.append(now - started)
            found = BELL_COUNT.search(response.text)
            notifier.seen(name, int(found.group(1)) if found else 0, now, run)
        await asyncio.sleep(max(0.0, interval - (time.monotonic() - started)))


async def stream(client, name, deadline, notifier: Notifier, run: Run, retry: float) -> None:
    """As EventSource does: read events, and reconnect after ``retry`` when the stream ends."""
    first = True
    while time.monotonic() < deadline:
        opened = False
        try:
            async with client.stream(
                "GET", "/bench/bell-stream/", headers={"Accept": "text/event-stream", "Accept-Encoding": "identity"}
            ) as response:
                async for line in response.aiter_lines():
                    if line.startswith("data: "):
                        if not opened:
                            opened = True
                            run.streams_open += 1
                            run.peak_streams = max(run.peak_streams, run.streams_open)
                        notifier.seen(name, int(line[6:]), time.monotonic(), run)
                    if time.monotonic() >= deadline:
                        break
        except httpx.HTTPError:
            if time.monotonic() < deadline:
                run.errors += 1
        finally:
            if opened:
                run.streams_open -= 1
        if time.monotonic() >= deadline:
            return
        if not first or opened:
            run.reconnects += 1
        first = False
        await asyncio.sleep(retry)


async def probe_pages(client, deadline, run: Run) -> None:
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            response = await client.get(PAGE)
            response.raise_for_status()
        except httpx.HTTPError:
            run.page_failures += 1
        else:
            run.page_times.append(time.monotonic() - started)
        await asyncio.sleep(max(0.0, 0.5 - (time.monotonic() - started)))


async def write_notifications(deadline, every, notifier: Notifier, rng) -> None:
    while time.monotonic() < deadline:
        await asyncio.sleep(rng.expovariate(1 / every))
        if time.monotonic() < deadline:
            await asyncio.to_thread(notifier.write_one, rng)


async def one_run(name: str, mode: str, args, stack: Stack, clients, prober, notifier: Notifier) -> Run:
    run = Run(name)
    notifier.reset()
    rng = random.Random(19)
    meter = ServerMeter(stack)
    meter.read(first=True)
    started = time.monotonic()
    deadline = started + args.seconds
    interval = args.interval / args.compress
    if mode == "poll":
        people = [poll(client, who, interval, deadline, notifier, run, rng) for who, client in clients]
    else:
        people = [stream(client, who, deadline, notifier, run, 3 / args.compress) for who, client in clients]
    tasks = [
        asyncio.ensure_future(job)
        for job in (
            *people,
            probe_pages(prober, deadline, run),
            # The last one a poll interval before the end, so that a poller can see it too.
            write_notifications(deadline - interval, 1 / args.rate, notifier, rng),
        )
    ]
    while not all(task.done() for task in tasks):
        await asyncio.wait(tasks, timeout=1.0)
        meter.read()
        if time.monotonic() > deadline + 2:  # streams still waiting for a held worker: give up on them
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            break
    run.seconds = time.monotonic() - started
    timing = stack.tmp / "timing.log"
    if timing.exists():
        with timing.open() as lines:
            run.worker_busy = sum(float(line.split()[1]) / 1000 for line in lines if line.startswith(run.name[:4]))
    # What a person had not seen when the run ended (SSE: the streams that never got a worker).
    run.unseen = notifier.missed()
    run.cpu = meter.spent()
    run.pss_mib = meter.pss_peak / 1024
    return run


# --- the report ------------------------------------------------------------------------------


def pct(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(runs: list[Run], args) -> None:
    base = runs[0]
    real_minutes = args.seconds * args.compress / 60

    def ratio(value: float, baseline: float) -> str:
        if not baseline or value != value or baseline != baseline:
            return ""
        return f" ({value / baseline:.2f}x)"

    say(
        f"\n{args.users} people, bell every {args.interval:g}s, time compressed {args.compress:g}x "
        f"({args.seconds:g}s run = {real_minutes:.1f} real minutes), "
        f"{args.rate:g} new notifications per run second, {args.workers} gunicorn workers; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (shared machine)"
    )
    for run in runs:
        cpu_ms = 1000 * run.cpu / (args.users * real_minutes)
        slots = (
            f"{run.worker_busy / run.seconds:.2f} of {args.workers} busy with polls on average (their time in "
            f"the workers / the run), {sum(run.poll_times) / run.seconds:.1f} polls in flight with their wait"
            if run.poll_times
            else f"{run.peak_streams} streams held open at most ({args.users} wanted), reconnects {run.reconnects}"
        )
        p50, p95 = (args.compress * pct(run.latencies, q) for q in (0.5, 0.95))
        b50, b95 = (args.compress * pct(base.latencies, q) for q in (0.5, 0.95))
        g50, g95 = (1000 * pct(run.page_times, q) for q in (0.5, 0.95))
        bg95 = 1000 * pct(base.page_times, 0.95)
        base_cpu = 1000 * base.cpu / (args.users * real_minutes)
        say(f"\n{run.name}")
        say(f"  server CPU        {cpu_ms:8.1f} ms per person-minute{ratio(cpu_ms, base_cpu)}")
        say(f"  worker slots      {slots}")
        if run.poll_times:
            say(
                f"  a poll            p50 {1000 * pct(run.poll_times, 0.5):.1f} ms, "
                f"p95 {1000 * pct(run.poll_times, 0.95):.1f} ms ({len(run.poll_times)} polls)"
            )
        say(
            f"  new notification  p50 {p50:.2f} s{ratio(p50, b50)}, p95 {p95:.2f} s{ratio(p95, b95)} "
            f"real time to the screen ({len(run.latencies)} arrived, {run.unseen} never seen)"
        )
        say(
            f"  page GET {PAGE}  p50 {g50:.0f} ms, p95 {g95:.0f} ms{ratio(g95, bg95)}, "
            f"{len(run.page_times)} answered, {run.page_failures} failed or timed out"
        )
        say(f"  gunicorn memory   {run.pss_mib:.0f} MiB PSS at most; client errors {run.errors}")


async def main_async(args, stack: Stack, usernames: list[str], notifier: Notifier) -> list[Run]:
    limits = httpx.Limits(max_connections=4)
    timeout = httpx.Timeout(10.0, read=None)  # streams wait for events; pages give up after 10 s

    def client():
        return httpx.AsyncClient(base_url=stack.base_url, timeout=timeout, limits=limits)

    people = [(name, client()) for name in usernames[: args.users]]
    prober = httpx.AsyncClient(base_url=stack.base_url, timeout=10.0)
    plans = [
        ("polling (the product: htmx every 10 s)", "poll", []),
        (f"sse, {args.workers} sync workers", "sse", []),
        (
            f"sse, {args.workers} gthread workers x {args.threads} threads",
            "sse",
            ["--worker-class", "gthread", "--threads", str(args.threads)],
        ),
    ]
    runs = []
    try:
        for index, (name, mode, extra) in enumerate(plans):
            stack.start_web(extra)
            if index == 0:
                semaphore = asyncio.Semaphore(4)

                async def signed(who, web, semaphore=semaphore):
                    async with semaphore:
                        await sign_in(web, who)

                started = time.monotonic()
                await asyncio.gather(*(signed(who, web) for who, web in [*people, (usernames[-1], prober)]))
                log(f"{len(people) + 1} people signed in ({time.monotonic() - started:.1f}s)")
            for _, web in people[:8]:  # every worker has connected and rendered once before timing
                await web.get(PAGE)
            log(f"run: {name} for {args.seconds:g}s")
            runs.append(await one_run(name, mode, args, stack, people, prober, notifier))
            log(f"{name}: done")
    finally:
        for _, web in people:
            await web.aclose()
        await prober.aclose()
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--interval", type=float, default=10, help="the bell's real polling interval (seconds)")
    parser.add_argument("--sse-tick", type=float, default=1, help="how often the SSE stream looks (real seconds)")
    parser.add_argument("--compress", type=float, default=5, help="time runs this many times faster")
    parser.add_argument("--seconds", type=float, default=60, help="length of each run (compressed seconds)")
    parser.add_argument("--rate", type=float, default=2, help="new notifications per run second")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=16, help="threads per gthread worker in the third run")
    parser.add_argument("--redis-db", type=int, default=12)
    parser.add_argument("--keep", action="store_true", help="keep the database and logs afterwards")
    args = parser.parse_args()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the stack on the way out
    stack = Stack(args)
    try:
        log(f"fresh database {stack.database.name}, Redis db {args.redis_db}, files in {stack.tmp}")
        stack.fresh_database()
        os.environ.update(stack.env)
        import django

        django.setup()
        usernames = make_people(args.users)
        from django.contrib.auth import get_user_model

        ids = dict(get_user_model().objects.filter(username__in=usernames).values_list("username", "pk"))
        notifier = Notifier({name: ids[name] for name in usernames[: args.users]})
        runs = asyncio.run(main_async(args, stack, usernames, notifier))
        report(runs, args)
        return 0
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
