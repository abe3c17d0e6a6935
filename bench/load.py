"""Huddle under load on the production stack, against a bare Django view on the same stack.

    python bench/load.py [--users 50] [--seconds 60] [--think 3] [--size large] [--keep]

Starts, on 127.0.0.1 only: a PostgreSQL database of its own (huddle_bench, or $BENCH_DATABASE;
it refuses a name that a bench did not make, and drops only what it made), Redis (a database
number of its own on the shared server), gunicorn with 4 workers and the django-tasks db_worker
(at nice 10, as deploy/systemd/huddle-worker.service runs it); loads demo data with `seed_demo`
(the large set by default: 20,000 tips, 100,000 microposts); signs in the simulated reps; then
drives them with an async HTTP client, each rep sending its next request a moment after the last
one answered (--think: mean 3 s, exponential, the usual reading time of a load test, as locust's
between(1, 5); --think 1 is the stress run, three times the requests; 0 sends back to back):

    60% browsing: the feed, the tips list, a tip, a tag page
    25% searching: /search/?q=...
    15% writing: microposts, tips, comments, helpful marks

then the same number of reps against /bench/bare/ (bench/urls.py: the same middleware, no work).
Each run ends at its deadline (a rep's last pause is cut there). Then the capacity run: the same
reps with no think time, the mix and then the bare view (--capacity-seconds each). Unloaded
medians come from --unloaded (200) requests of each kind, one rep at a time. Prints requests per
second, p50/p95/p99 per kind, errors, the throughput ratio to the bare view and the CPU each
part of the stack (and this client) spent per request, then checks that every write that got a
success is in the database and found by search. Exits 1 when a write is lost or a request
failed."""

import argparse
import asyncio
import gc
import os
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.processes import (  # noqa: E402 - needs ROOT on the path
    BenchDatabase,
    bench_env,
    log,
    run_manage,
    say,
    wait_until_healthy,
)

PASSWORD = "huddle-demo"
BROWSE = {"feed": 20, "tips": 15, "tip": 15, "tag": 10}
SEARCH = {"search": 25}
WRITE = {"micropost": 6, "comment": 4, "helpful": 3, "tip_post": 2}
TOKEN_LETTERS = "bcdfghjklmnpqrstvwxz"
# As huddle-worker.service: background jobs yield the CPU to web requests.
WORKER_NICE = 10


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def token(run: str, number: int) -> str:
    """A word no text contains and every analyzer keeps whole: letters only, no stem endings."""
    letters = ""
    while True:
        number, digit = divmod(number, len(TOKEN_LETTERS))
        letters += TOKEN_LETTERS[digit]
        if not number:
            break
    return f"zq{run}x{letters}k"


# --- the stack -----------------------------------------------------------------------------


class Stack:
    """The processes this bench starts, and stops by their own ids."""

    def __init__(self, args):
        self.args = args
        self.tmp = Path(args.reuse) if args.reuse else Path(tempfile.mkdtemp(prefix="huddle-load-"))
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.processes: list[subprocess.Popen] = []
        self.database = BenchDatabase("huddle_bench")
        self.env = bench_env(
            self.tmp,
            database_url=self.database.url,
            DB_CONN_MAX_AGE="60",
            REDIS_URL=f"redis://127.0.0.1:6379/{args.redis_db}",
            TASKS_BACKEND="database",
            SEMANTIC_SEARCH="true" if args.semantic else "false",
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
            WEB_CONCURRENCY=str(args.workers),
            GUNICORN_ACCESS_LOG="",
            BENCH_TIMING_LOG=str(self.tmp / "timing.log"),
        )

    def manage(self, *arguments: str, timeout: int = 900) -> str:
        started = time.monotonic()
        output = run_manage(self.env, *arguments, timeout=timeout)
        log(f"manage.py {' '.join(arguments)}: {time.monotonic() - started:.1f}s")
        return output

    def fresh_database(self) -> None:
        self.database.create()
        self.empty_cache()

    def empty_cache(self) -> None:
        """Empties this bench's Redis database number (only that one)."""
        import redis

        redis.Redis.from_url(self.env["REDIS_URL"]).flushdb()

    def start(self, name: str, argv: list[str], nice: int = 0) -> subprocess.Popen:
        out = (self.tmp / f"{name}.log").open("w")
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=(lambda: os.nice(nice)) if nice else None,
        )
        self.processes.append(process)
        return process

    def start_services(self) -> None:
        self.worker = self.start(
            "worker",
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--queue-name=*",
                "--interval=0.5",
                "--no-reload",
                "--no-startup-delay",
            ],
            nice=WORKER_NICE,
        )
        self.web = self.start(
            "gunicorn",
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--config", "config/gunicorn.py"],
        )
        wait_until_healthy(self.base_url, self.web, self.tmp / "gunicorn.log", seconds=60)
        log(f"gunicorn ({self.args.workers} workers) and db_worker up on {self.base_url}")

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        if not self.args.keep:
            self.database.drop()
            shutil.rmtree(self.tmp, ignore_errors=True)
        else:
            log(f"kept database {self.database.name} and {self.tmp}")


# --- what the reps see ---------------------------------------------------------------------


@dataclass
class Targets:
    usernames: list[str]
    tip_urls: list[str]
    tag_slugs: list[str]
    words: list[str]
    helpful: list[tuple[int, int, int]]  # (content type id, object id, author id)
    user_ids: dict[str, int]
    comment_forms: list[dict[str, str]] = field(default_factory=list)


def django_setup(stack: Stack) -> None:
    os.environ.update(stack.env)
    import django

    django.setup()


def top_up(users: int, tips: int, microposts: int) -> None:
    """Adds bench reps, tips and microposts when seed_demo made fewer than the bench needs."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from wagtail.models import Site

    from knowledge.models import Account, Micropost, TipPage
    from knowledge.sharing import share_tip

    User = get_user_model()
    reps = Group.objects.get(name="Reps")
    have = reps.user_set.filter(is_active=True).count()
    if have < users:
        password = make_password(PASSWORD)
        new = User.objects.bulk_create(
            User(
                username=f"benchrep{n:03d}",
                first_name="Bench",
                last_name=f"Rep {n}",
                email=f"benchrep{n:03d}@huddle.example",
                password=password,
            )
            for n in range(users - have)
        )
        reps.user_set.add(*User.objects.filter(username__in=[user.username for user in new]))
    people = list(reps.user_set.filter(is_active=True).order_by("pk")[:users])
    accounts = list(Account.objects.order_by("pk")[:50]) or [None]
    rng = random.Random(11)
    site = Site.objects.get(is_default_site=True)
    topics = [
        "renewal",
        "pricing",
        "champion",
        "procurement",
        "security review",
        "pilot",
        "budget",
        "competitor",
        "onboarding",
        "expansion",
    ]
    # Published by marketing, who may publish anywhere; reps' own tips go through the site form.
    publisher = User.objects.filter(groups__name="Marketing").order_by("pk").first()
    for n in range(max(0, tips - TipPage.objects.live().count())):
        topic = rng.choice(topics)
        share_tip(
            author=publisher,
            site=site,
            data={
                "title": f"{topic.title()} play number {n}",
                "summary": f"How the {topic} talk went well",
                "body": f"Ask about {topic} early, then send a one-page business case.",
                "talk_track": "",
                "objection": "",
                "response": "",
                "checklist": "",
                "account_name": "",
                "industry": "",
                "product": "",
                "stage": "",
                "tags": [topic.replace(" ", "-"), "bench"],
            },
        )
    # Microposts straight into the table (update_index, run next, indexes and embeds them).
    Micropost.objects.bulk_create(
        [
            Micropost(
                author=rng.choice(people),
                account=rng.choice(accounts),
                text=f"Quick win {n}: {rng.choice(topics)} came up and the case study helped",
            )
            for n in range(max(0, microposts - Micropost.objects.count()))
        ],
        batch_size=1000,
    )


def find_targets(users: int) -> Targets:
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from taggit.models import Tag

    from knowledge.models import Micropost, TipPage

    usernames = list(
        get_user_model()
        .objects.filter(groups__name="Reps", is_active=True)
        .order_by("username")
        .values_list("username", flat=True)[:users]
    )
    if len(usernames) < users:
        raise SystemExit(f"seed_demo made {len(usernames)} reps; {users} are needed (--size large?)")
    tips = list(TipPage.objects.live().order_by("pk")[:400])
    words = sorted({word.lower() for tip in tips for word in re.findall(r"[A-Za-z]{5,}", tip.title)})
    tip_type = ContentType.objects.get_for_model(TipPage)
    post_type = ContentType.objects.get_for_model(Micropost)
    helpful = [(tip_type.pk, tip.pk, tip.author_id) for tip in tips if tip.author_id]
    helpful += [
        (post_type.pk, pk, author)
        for pk, author in Micropost.objects.order_by("-pk").values_list("pk", "author_id")[:400]
    ]
    return Targets(
        usernames=usernames,
        tip_urls=[tip.url for tip in tips if tip.url],
        tag_slugs=list(Tag.objects.order_by("pk").values_list("slug", flat=True)[:200]),
        words=words or ["pricing", "renewal", "champion"],
        helpful=helpful,
        user_ids=dict(get_user_model().objects.filter(username__in=usernames).values_list("username", "pk")),
    )


FORM = re.compile(r'<form[^>]*action="(?P<action>[^"]*/comments/post/)"[^>]*>(?P<body>.*?)</form>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="(?P<name>[^"]+)" value="(?P<value>[^"]*)"')


async def sign_in(client: httpx.AsyncClient, username: str) -> None:
    page = await client.get("/accounts/login/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = await client.post(
        "/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": csrf},
    )
    if response.status_code != 302:
        raise SystemExit(f"{username} could not sign in ({response.status_code})")


async def comment_forms(client: httpx.AsyncClient, tip_urls: list[str]) -> list[dict[str, str]]:
    forms = []
    for url in tip_urls[:30]:
        page = await client.get(url)
        match = FORM.search(page.text)
        if match:
            fields = {m["name"]: m["value"] for m in HIDDEN.finditer(match["body"])}
            fields.pop("csrfmiddlewaretoken", None)
            forms.append({"_action": match["action"], "_url": url, **fields})
    return forms


# --- the load ------------------------------------------------------------------------------


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    writes: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, token, detail)
    # (user, content type, object) -> marked, as the last answer said
    helpful_state: dict[tuple[int, int, int], bool] = field(default_factory=dict)
    requests: int = 0
    seconds: float = 0.0
    loop_lags: list[float] = field(default_factory=list)  # the client's event loop, late by
    gc_pauses: list[float] = field(default_factory=list)  # the client's garbage collections
    # X-Bench-Id -> (kind, seconds, Unix time sent)
    timed: dict[str, tuple[str, float, float]] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds per part, over the run and its jobs
    drained_seconds: float = 0.0  # after the run, until the worker had done the jobs it queued
    backlog: int = 0  # jobs still queued when the bench stopped waiting for them

    def record(
        self, kind: str, seconds: float, error: str | None = None, request_id: str = "", sent: float = 0.0
    ) -> None:
        self.requests += 1
        if error:
            self.errors[kind].append(error)
        else:
            self.latencies[kind].append(seconds)
            self.timed[request_id] = (kind, seconds, sent)


class Rep:
    """One simulated, signed-in rep."""

    def __init__(
        self,
        number: int,
        username: str,
        base_url: str,
        targets: Targets,
        run: str,
        counter: list[int],
        skip_search: bool,
        think: float = 0.0,
    ):
        self.number, self.username, self.targets, self.run = number, username, targets, run
        self.think = think
        self.client = httpx.AsyncClient(base_url=base_url, timeout=60, follow_redirects=False)
        self.random = random.Random(number)
        self.counter = counter
        self.sent = 0
        kinds = {**BROWSE, **WRITE, **({} if skip_search else SEARCH)}
        self.kinds, self.weights = list(kinds), list(kinds.values())

    def next_token(self) -> str:
        self.counter[0] += 1
        return token(self.run, self.counter[0])

    def csrf(self) -> dict[str, str]:
        return {"X-CSRFToken": self.client.cookies.get("csrftoken", "")}

    async def act(self, kind: str, results: Results) -> None:
        self.sent += 1
        request_id = f"{self.number}-{self.sent}"
        self.client.headers["X-Bench-Id"] = request_id  # one request at a time per rep
        sent, started = time.time(), time.perf_counter()
        error = None
        try:
            error = await getattr(self, kind)(results)
        except httpx.HTTPError as problem:
            error = f"{type(problem).__name__}: {problem}"
        results.record(kind, time.perf_counter() - started, error, request_id, sent)

    async def get(self, path: str) -> str | None:
        response = await self.client.get(path)
        return None if response.status_code == 200 else f"GET {path}: {response.status_code}"

    async def feed(self, results):
        return await self.get("/")

    async def tips(self, results):
        return await self.get("/tips/")

    async def tip(self, results):
        return await self.get(self.random.choice(self.targets.tip_urls))

    async def tag(self, results):
        return await self.get(f"/tags/{self.random.choice(self.targets.tag_slugs)}/")

    async def search(self, results):
        words = self.random.sample(self.targets.words, k=min(len(self.targets.words), self.random.choice([1, 2])))
        response = await self.client.get("/search/", params={"q": " ".join(words)})
        return None if response.status_code == 200 else f"search: {response.status_code}"

    async def micropost(self, results):
        word = self.next_token()
        response = await self.client.post(
            "/microposts/",
            headers=self.csrf(),
            data={
                "text": f"Bench note {word}: asked about the renewal date first #bench",
                "next": "/",
            },
        )
        if response.status_code != 302:
            return f"micropost: {response.status_code}"
        results.writes.append(("micropost", word, ""))
        return None

    async def tip_post(self, results):
        word = self.next_token()
        response = await self.client.post(
            "/tips/new/",
            headers=self.csrf(),
            data={
                "title": f"Bench tip {word}",
                "summary": "Open with the customer's own numbers",
                "body": f"What worked ({word}): send the business case before the call.",
                "tags": "bench, business case",
            },
        )
        if response.status_code != 302:
            return f"tip: {response.status_code}"
        results.writes.append(("tip", word, response.headers.get("location", "")))
        return None

    async def comment(self, results):
        if not self.targets.comment_forms:
            return await self.feed(results)
        form = dict(self.random.choice(self.targets.comment_forms))
        action, url = form.pop("_action"), form.pop("_url")
        word = self.next_token()
        response = await self.client.post(
            action,
            headers=self.csrf(),
            data={
                **form,
                "next": url,
                "honeypot": "",
                "comment": f"Tried this, it worked {word}",
                "post": "1",
            },
        )
        location = response.headers.get("location", "")
        if response.status_code != 302 or "c=" not in location:
            return f"comment: {response.status_code} {location}"
        results.writes.append(("comment", word, location))
        return None

    async def helpful(self, results):
        """The button as the site uses it (htmx): the answer says whether the item is now marked."""
        own = self.targets.user_ids[self.username]
        choices = [item for item in self.targets.helpful if item[2] != own]
        content_type, object_id, _author = self.random.choice(choices)
        response = await self.client.post(
            f"/helpful/{content_type}/{object_id}/",
            data={"next": "/"},
            headers={**self.csrf(), "HX-Request": "true"},
        )
        pressed = re.search(r'aria-pressed="(true|false)"', response.text)
        if response.status_code != 200 or 'role="alert"' in response.text or not pressed:
            alert = re.search(r'role="alert">([^<]*)<', response.text)
            return f"helpful: {response.status_code} {alert[1] if alert else ''}".strip()
        results.helpful_state[(own, content_type, object_id)] = pressed[1] == "true"
        return None

    async def bare(self, results):
        return await self.get("/bench/bare/")

    async def pause(self, deadline: float) -> None:
        """A person reads before the next click: exponential, mean ``think`` s, at most 5x that.

        A pause ends at the deadline: the run's measured time is the time asked for, not that plus
        the longest last pause (which made a 30 s run last 44 s and lowered its rate).
        """
        if self.think:
            wanted = min(self.random.expovariate(1 / self.think), 5 * self.think)
            await asyncio.sleep(max(0.0, min(wanted, deadline - time.monotonic())))

    async def arrive(self, deadline: float) -> None:
        """People do not all click at the same instant: each rep starts after a think time of its
        own (without it, all of them sent their first request together, which queued for up to
        0.8 s and made a third of the slowest 5%)."""
        if self.think:
            await asyncio.sleep(min(self.random.uniform(0, 2 * self.think), deadline - time.monotonic()))

    async def run_mix(self, deadline: float, results: Results) -> None:
        await self.arrive(deadline)
        while time.monotonic() < deadline:
            await self.act(self.random.choices(self.kinds, self.weights)[0], results)
            await self.pause(deadline)

    async def run_bare(self, deadline: float, results: Results) -> None:
        await self.arrive(deadline)
        while time.monotonic() < deadline:
            await self.act("bare", results)
            await self.pause(deadline)


async def watch_loop(deadline: float, lags: list[float], tick: float = 0.01) -> None:
    """How late this client's event loop wakes up: time it adds to every request it measures."""
    while time.monotonic() < deadline:
        asked = time.perf_counter()
        await asyncio.sleep(tick)
        lags.append(time.perf_counter() - asked - tick)


class GcClock:
    """This client's garbage collection pauses while it is installed (``gc.callbacks``)."""

    def __init__(self):
        self.started, self.pauses = 0.0, []

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self.started = time.perf_counter()
        else:
            self.pauses.append(time.perf_counter() - self.started)


async def drive(reps: list[Rep], seconds: float, mode: str, meter: "CpuMeter") -> Results:
    results = Results()
    started = time.monotonic()
    deadline = started + seconds
    runner = "run_mix" if mode == "mix" else "run_bare"
    clock = GcClock()
    gc.collect()
    gc.freeze()  # what setup built (targets, clients) is not scanned again: one pause was 0.12 s
    gc.callbacks.append(clock)
    try:
        _, results.cpu = await meter.measure(
            asyncio.gather(
                *(getattr(rep, runner)(deadline, results) for rep in reps),
                watch_loop(deadline, results.loop_lags),
            ),
            settle=drain(results),
        )
    finally:
        gc.callbacks.remove(clock)
    results.gc_pauses = clock.pauses
    results.seconds = time.monotonic() - started
    return results


async def drain(results: Results) -> None:
    """Waits for the jobs the run queued (indexing, vectors, roll-ups) to be done."""
    started = time.monotonic()
    results.backlog = await asyncio.to_thread(wait_for_worker, 300)
    results.drained_seconds = time.monotonic() - started


async def unloaded(rep: Rep, kinds: list[str], repeats: int, results: Results) -> dict[str, float]:
    """Median time per kind with one rep and nothing else running."""
    medians = {}
    for kind in kinds:
        for _ in range(repeats):
            await rep.act(kind, results)
        if results.latencies[kind]:
            medians[kind] = statistics.median(results.latencies[kind])
    return medians


# --- where the CPU goes --------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, str]]:
    """{pid: (parent pid, command line)} of every process, from /proc."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                command = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError, IndexError):
            continue
        found[int(entry)] = (parent, command)
    return found


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time of one process so far (0 once it has exited)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class CpuMeter:
    """CPU seconds spent by each part of the stack and by this load client while a run lasts.

    Processes are read every second, so a PostgreSQL backend that exits midway (a connection
    older than DB_CONN_MAX_AGE is replaced) still counts up to its last reading. PostgreSQL
    means the backends serving the bench database; Redis is the shared server, so other
    programs' use of it counts too.
    """

    INTERVAL = 1.0

    def __init__(self, stack: Stack):
        self.stack = stack
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.part: dict[int, str] = {}
        self.first_reading = True

    def _read(self) -> None:
        processes = _processes()
        web = self.stack.web.pid
        for pid, (parent, command) in processes.items():
            if pid == web or parent == web:
                part = "gunicorn"
            elif pid == self.stack.worker.pid:
                part = "task worker"
            elif command.startswith("postgres:") and f" {self.stack.database.name} " in command:
                part = "postgres"
            elif "redis-server" in command:
                part = "redis"
            else:
                continue
            seconds = _cpu_seconds(pid)
            # Started during the run: all of its time is the run's.
            self.first.setdefault(pid, seconds if self.first_reading else 0.0)
            self.last[pid] = max(seconds, self.last.get(pid, 0.0))
            self.part[pid] = part

    async def measure(self, run, settle=None):
        """Awaits ``run`` while reading the processes; returns (its result, {part: CPU seconds}).

        ``settle``, awaited after ``run``, is still measured (but not this client): the background
        jobs a run queued are part of what its requests cost, even when the worker, at a lower
        priority, only gets to them once the web workers are idle.
        """
        self.first, self.last, self.part = {}, {}, {}
        self.first_reading = True
        self._read()
        self.first_reading = False
        usage = resource.getrusage(resource.RUSAGE_SELF)
        client = usage.ru_utime + usage.ru_stime
        task = asyncio.ensure_future(run)
        while not task.done():
            await asyncio.wait([task], timeout=self.INTERVAL)
            self._read()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        if settle is not None:
            settling = asyncio.ensure_future(settle)
            while not settling.done():
                await asyncio.wait([settling], timeout=self.INTERVAL)
                self._read()
        spent = dict.fromkeys(["gunicorn", "task worker", "postgres", "redis"], 0.0)
        for pid, part in self.part.items():
            spent[part] += self.last[pid] - self.first[pid]
        spent["load client"] = usage.ru_utime + usage.ru_stime - client
        return task.result(), spent


# --- checks and report ---------------------------------------------------------------------


def wait_for_worker(timeout: float = 180) -> int:
    from django_tasks_db.models import DBTaskResult

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pending = DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count()
        if not pending:
            return 0
        time.sleep(0.5)
    return pending


def check_writes(results_list: list[Results]) -> dict[str, tuple[int, int]]:
    """{kind: (successful writes, found in the database)}; helpful marks by final state."""
    from django.db import close_old_connections
    from django_comments_xtd.models import XtdComment

    from knowledge.models import HelpfulMark, Micropost, TipPage

    close_old_connections()
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for results in results_list:
        for kind, word, _ in results.writes:
            found[kind][0] += 1
            exists = {
                "micropost": lambda w: Micropost.objects.filter(text__contains=w).exists(),
                "tip": lambda w: TipPage.objects.filter(title__contains=w).exists(),
                "comment": lambda w: XtdComment.objects.filter(comment__contains=w).exists(),
            }[kind](word)
            found[kind][1] += int(exists)
    state: dict[tuple[int, int, int], bool] = {}
    for results in results_list:  # in time order: a later answer wins
        state.update(results.helpful_state)
    marks = set(HelpfulMark.objects.values_list("user_id", "content_type_id", "object_id"))
    wrong = [(key, marked) for key, marked in state.items() if (key in marks) != marked]
    found["helpful (final state)"] = [len(state), len(state) - len(wrong)]
    if wrong:
        log(f"helpful marks not as the site said, ((user, type, id), marked): {wrong[:5]}")
    return {kind: (want, got) for kind, (want, got) in found.items()}


async def check_search(base_url: str, cookies, results_list: list[Results]) -> tuple[int, int, list[str]]:
    """Every micropost and live tip written under load, found by the site search."""
    words = [word for results in results_list for kind, word, _ in results.writes if kind in {"micropost", "tip"}]
    missing: list[str] = []
    semaphore = asyncio.Semaphore(8)
    async with httpx.AsyncClient(base_url=base_url, cookies=cookies, timeout=60) as client:

        async def one(word):
            async with semaphore:
                response = await client.get("/search/", params={"q": word})
                text = re.sub(r"<[^>]+>", "", response.text).lower()
                if response.status_code != 200 or word not in text:
                    missing.append(word)

        await asyncio.gather(*(one(word) for word in words))
    return len(words), len(words) - len(missing), missing


def percentiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) < 2:
        value = values[0] if values else 0.0
        return value, value, value
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def report_cpu(runs: dict[str, Results]) -> None:
    """CPU milliseconds per request by part, and the share of the machine the stack had."""
    parts = list(next(iter(runs.values())).cpu)
    server = [part for part in parts if part != "load client"]
    say("\nCPU ms per request: " + ", ".join(server) + " = server; load client")
    cores = os.cpu_count() or 1
    for name, results in runs.items():
        per = {part: 1000 * results.cpu[part] / max(results.requests, 1) for part in parts}
        say(
            f"  {name:<14}"
            + " + ".join(f"{per[part]:.1f}" for part in server)
            + f" = {sum(per[part] for part in server):.1f}; {per['load client']:.1f}"
        )
        if results.drained_seconds >= 0.5 or results.backlog:
            say(
                f"  {'':<14}(the jobs this run queued took {results.drained_seconds:.0f} s more to finish"
                + (f"; {results.backlog} still waiting" if results.backlog else "")
                + "; their CPU is counted above)"
            )
        available = cores * (results.seconds + results.drained_seconds)
        used = sum(results.cpu[part] for part in server)
        say(
            f"  {'':<14}of the {available:.0f} CPU-seconds the {cores} cores had: the stack used "
            f"{used:.0f} ({100 * used / available:.0f}%), the load client "
            f"{results.cpu['load client']:.0f} ({100 * results.cpu['load client'] / available:.0f}%)"
        )


def read_timing(path: Path) -> dict[str, tuple[float, ...]]:
    """{X-Bench-Id: (wall, cpu, database, gc milliseconds, queries)} from bench/timing.py's log."""
    found = {}
    if path.exists():
        for line in path.read_text().splitlines():
            request_id, *figures = line.split()
            found[request_id] = tuple(float(figure) for figure in figures)
    return found


def report_tail(mix: Results, timing: dict[str, tuple[float, ...]]) -> None:
    """For each kind, the typical request beside its slowest 5%: how long the client waited, how
    long the request queued for a free worker, how long the worker spent on it (CPU, database,
    garbage collection, other: waiting for a core or the cache) and the time after the worker
    finished (the network and this client's own delay)."""
    say(
        "\nWhere the time goes, ms (median request | slowest 5%):\n"
        f"  {'':<10} client = queued + in worker (CPU + database + GC + other) + after"
    )
    for kind in [*BROWSE, *SEARCH, *WRITE]:
        rows = sorted(
            (seconds * 1000, sent, timing[request_id])
            for request_id, (k, seconds, sent) in mix.timed.items()
            if k == kind and request_id in timing
        )
        if len(rows) < 20:
            continue
        cut = int(len(rows) * 0.95)
        parts = []
        for group in (rows[len(rows) // 2 - 2 : len(rows) // 2 + 3], rows[cut:]):
            client = statistics.mean(row[0] for row in group)
            wall, cpu, database, collected = (statistics.mean(row[2][i] for row in group) for i in range(4))
            queued = statistics.mean(1000 * (row[2][5] - row[1]) for row in group)
            other = wall - cpu - database - collected
            parts.append(
                f"{client:4.0f} = {queued:4.0f} + {wall:3.0f} ({cpu:3.0f} + {database:3.0f} + {collected:2.0f} + "
                f"{other:3.0f}) + {client - queued - wall:4.0f}"
            )
        say(f"  {kind:<10} " + " | ".join(parts))


def report(mix: Results, bare: Results, medians: dict[str, float], skipped_search: bool) -> dict:
    say()
    say(
        f"{'kind':<12}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'unloaded':>10}{'p95/unl.':>9}"
    )
    page_ratios = {}
    for kind in [*BROWSE, *SEARCH, *WRITE, "bare"]:
        source = bare if kind == "bare" else mix
        values = source.latencies.get(kind, [])
        errors = len(source.errors.get(kind, []))
        if not values and not errors:
            continue
        p50, p95, p99 = percentiles(values)
        base = medians.get(kind)
        ratio = p95 / base if base else float("nan")
        if kind in BROWSE or kind in SEARCH:
            page_ratios[kind] = ratio
        say(
            f"{kind:<12}{len(values) + errors:>9}{errors:>8}{p50 * 1000:>9.1f}{p95 * 1000:>9.1f}"
            f"{p99 * 1000:>9.1f}{(base or 0) * 1000:>10.1f}{ratio:>9.1f}"
        )
    mix_rps = mix.requests / mix.seconds
    bare_rps = bare.requests / bare.seconds
    errors = sum(len(v) for v in mix.errors.values()) + sum(len(v) for v in bare.errors.values())
    say(f"\nmachine load average (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    say(
        f"Huddle mix: {mix.requests:,} requests in {mix.seconds:.0f}s = {mix_rps:.1f} rps; "
        f"bare view: {bare.requests:,} in {bare.seconds:.0f}s = {bare_rps:.1f} rps; "
        f"ratio {mix_rps / bare_rps:.2f}x"
        + ("" if mix is bare else " (with think time the reps set the pace; capacity is the run without)")
    )
    say(
        f"errors: {errors}"
        + (
            ""
            if not errors
            else " — " + "; ".join(f"{kind}: {messages[0]}" for kind, messages in {**mix.errors, **bare.errors}.items())
        )
    )
    for name, run in (("mix", mix), ("bare view", bare)):
        if len(run.loop_lags) > 1:
            lag = sorted(run.loop_lags)
            say(
                f"load client, {name}: event loop late by p50 {1000 * lag[len(lag) // 2]:.1f} ms, "
                f"p99 {1000 * lag[int(len(lag) * 0.99)]:.1f} ms, max {1000 * lag[-1]:.1f} ms; "
                f"{len(run.gc_pauses)} garbage collections, longest {1000 * max(run.gc_pauses, default=0):.1f} ms"
            )
    worst = max(page_ratios.values(), default=float("nan"))
    say(f"worst page p95 / unloaded median: {worst:.1f}x (target <= 5x)")
    report_cpu({"Huddle mix": mix, "bare view": bare})
    if skipped_search:
        say("search: /search/ answered 404, so the 25% search share was left out of the mix")
    return {"rps": mix_rps, "bare_rps": bare_rps, "errors": errors, "worst_page_ratio": worst}


def report_capacity(mix: Results, bare: Results) -> None:
    """Requests per second with nobody pausing: what the stack can serve, beside the bare view."""
    mix_rps, bare_rps = mix.requests / mix.seconds, bare.requests / bare.seconds
    errors = sum(len(v) for v in mix.errors.values()) + sum(len(v) for v in bare.errors.values())
    say(
        f"\ncapacity, no think time: Huddle mix {mix.requests:,} requests in {mix.seconds:.0f}s = "
        f"{mix_rps:.1f} rps; bare view {bare_rps:.1f} rps; ratio {mix_rps / bare_rps:.2f}x (target >= 0.5x); "
        f"errors {errors}"
    )
    latencies = sorted(seconds for kind, values in mix.latencies.items() for seconds in values)
    if latencies:
        say(
            f"  every request of the mix: p50 {1000 * latencies[len(latencies) // 2]:.0f} ms, "
            f"p95 {1000 * latencies[int(len(latencies) * 0.95)]:.0f} ms"
        )
    report_cpu({"capacity mix": mix, "capacity bare": bare})


async def main_async(args, stack: Stack, targets: Targets) -> int:
    run = "".join(random.Random(time.time_ns()).choice(TOKEN_LETTERS) for _ in range(4))
    counter = [0]
    probe = httpx.AsyncClient(base_url=stack.base_url, timeout=60)
    await sign_in(probe, targets.usernames[0])
    skip_search = (await probe.get("/search/", params={"q": "pricing"})).status_code == 404
    targets.comment_forms = await comment_forms(probe, targets.tip_urls)
    log(
        f"{len(targets.tip_urls)} tips, {len(targets.tag_slugs)} tags, "
        f"{len(targets.comment_forms)} "
        f"comment forms; search {'missing' if skip_search else 'present'}"
    )

    reps = [
        Rep(n, name, stack.base_url, targets, run, counter, skip_search, args.think)
        for n, name in enumerate(targets.usernames)
    ]
    started = time.monotonic()
    semaphore = asyncio.Semaphore(8)

    async def signed(rep):
        async with semaphore:
            await sign_in(rep.client, rep.username)

    await asyncio.gather(*(signed(rep) for rep in reps))
    log(f"{len(reps)} reps signed in ({time.monotonic() - started:.1f}s)")

    warm = Results()
    for rep in reps[:8]:  # every gunicorn worker has imported and connected before timing starts
        for kind in ("feed", "tips", "tip", "tag", "bare"):
            await rep.act(kind, warm)
    reads = [*BROWSE, *([] if skip_search else SEARCH), "bare"]
    quiet = Results()
    medians = await unloaded(reps[0], reads, args.unloaded, quiet)
    medians.update(await unloaded(reps[1], list(WRITE), args.unloaded, quiet))
    shown = ", ".join(f"{k} {v * 1000:.0f}ms" for k, v in medians.items())
    log(f"unloaded medians ({args.unloaded} requests a kind): {shown}")

    log(f"load: {len(reps)} reps for {args.seconds}s on the Huddle mix, think time {args.think}s")
    meter = CpuMeter(stack)
    mix = await drive(reps, args.seconds, "mix", meter)
    log(f"load: {len(reps)} reps for {args.bare_seconds}s on the bare view")
    bare = await drive(reps, args.bare_seconds, "bare", meter)
    figures = report(mix, bare, medians, skip_search)
    timing = read_timing(stack.tmp / "timing.log")
    report_tail(mix, timing)
    runs = [quiet, mix]
    if args.capacity_seconds:
        for rep in reps:
            rep.think = 0.0
        log(f"capacity: {len(reps)} reps with no think time, {args.capacity_seconds}s the mix, then the bare view")
        flat_mix = await drive(reps, args.capacity_seconds, "mix", meter)
        flat_bare = await drive(reps, args.capacity_seconds, "bare", meter)
        report_capacity(flat_mix, flat_bare)
        runs.append(flat_mix)
    if args.keep:  # every request, for a closer look: kind, sent, client ms, then the worker's figures
        with (stack.tmp / "requests.tsv").open("w") as out:
            for name, run in (("mix", mix), ("bare", bare)):
                for request_id, (kind, seconds, sent) in run.timed.items():
                    figures_in_worker = " ".join(map(str, timing.get(request_id, ())))
                    out.write(f"{name}\t{kind}\t{sent:.6f}\t{1000 * seconds:.2f}\t{figures_in_worker}\n")
        log(f"every request: {stack.tmp / 'requests.tsv'}")

    pending = await asyncio.to_thread(wait_for_worker)
    writes = await asyncio.to_thread(check_writes, runs)
    lost = 0
    say("\nwrites that got a success, found in the database afterwards:")
    for kind, (want, got) in writes.items():
        lost += want - got
        say(f"  {kind:<22}{got:>6} / {want}")
    if pending:
        say(f"  task queue: {pending} jobs still waiting after 180s")
    if not skip_search:
        total, found, missing = await check_search(stack.base_url, probe.cookies, runs)
        say(f"  found by search       {found:>6} / {total}" + (f" (missing e.g. {missing[:3]})" if missing else ""))
        lost += total - found
    say(f"\nlost writes: {lost}")
    await probe.aclose()
    for rep in reps:
        await rep.client.aclose()
    return 1 if lost or figures["errors"] else 0


def seed(stack: Stack, args) -> None:
    """A fresh database with the demo data (and the bench's reps and items on top), indexed once."""
    stack.fresh_database()
    stack.manage("migrate", "--noinput", "-v0")
    stack.manage("seed_demo", "--size", args.size, "--no-index", "-v0", timeout=3600)
    django_setup(stack)
    started = time.monotonic()
    top_up(args.users, args.min_tips, args.min_microposts)
    log(
        f"topped up to {args.users} reps, {args.min_tips} tips, {args.min_microposts} microposts: "
        f"{time.monotonic() - started:.1f}s"
    )
    stack.manage("update_index", "-v0", timeout=3600)  # once, after the seed and the top-up
    from django_tasks_db.models import DBTaskResult

    from knowledge.models import PendingUpdate

    # The rebuild just indexed and embedded everything the top-up noted for the worker.
    PendingUpdate.objects.all().delete()
    DBTaskResult.objects.filter(status="READY", task_path__endswith="run_pending").delete()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--bare-seconds", type=float, default=30)
    parser.add_argument("--size", default="large", help="seed_demo --size (large: 20,000 tips, 100,000 posts)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--think",
        type=float,
        default=3.0,
        help="mean seconds a rep reads between requests (1: the stress run; 0: back to back)",
    )
    parser.add_argument("--min-tips", type=int, default=300, help="bench adds tips up to this count")
    parser.add_argument("--min-microposts", type=int, default=1500)
    parser.add_argument("--unloaded", type=int, default=200, help="unloaded requests per kind")
    parser.add_argument(
        "--capacity-seconds", type=float, default=30, help="seconds of each side with no think time (0: none)"
    )
    parser.add_argument("--redis-db", type=int, default=13)
    parser.add_argument(
        "--semantic",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="search by meaning on (the default, as in production)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database and logs afterwards")
    parser.add_argument(
        "--reuse",
        metavar="FOLDER",
        help="time again on what an earlier --keep run left (its folder, and the database named by "
        "BENCH_DATABASE) instead of seeding afresh; implies --keep",
    )
    args = parser.parse_args()
    args.keep = args.keep or bool(args.reuse)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the stack on the way out
    stack = Stack(args)
    try:
        state = "as an earlier run left it" if args.reuse else "fresh"
        log(
            f"database {stack.database.name} {state}, Redis db {args.redis_db}, files in {stack.tmp}; "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
        if args.reuse:
            stack.empty_cache()  # a cold cache, as after a fresh seed
            stack.manage("migrate", "--noinput", "-v0")  # this code's migrations, if it has new ones
            django_setup(stack)
        else:
            seed(stack, args)
        targets = find_targets(args.users)
        stack.start_services()
        pending = wait_for_worker(timeout=600)  # jobs from the top-up, before anything is timed
        log(f"task queue drained ({pending} left)")
        return asyncio.run(main_async(args, stack, targets))
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
