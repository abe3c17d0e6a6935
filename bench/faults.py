"""Faults too slow for the test suite, with the real services, on 127.0.0.1 only.

    python bench/faults.py [--items 400] [--rebuild-items 20000]

1. The task worker killed in the middle of indexing new microposts (the keyword index, which
   only the worker writes when one is configured, and their vectors for search by meaning):
   restarted as deploy/systemd/huddle-worker.service restarts it (first
   `requeue_interrupted_tasks`, then `db_worker`), it finishes, and every micropost is
   found, by keyword and by meaning. The same restart without the requeue step is shown
   first, to show what it fixes.
2. `update_index` (the keyword index's rebuild, its only long writer) killed half way:
   the site keeps answering from the previous index meanwhile, and the next rebuild
   finishes with every item found.

Each part runs on a fresh PostgreSQL database of its own (huddle_faults_bench) and drops it after.
A full disk during an upload is a test: tests/test_faults_disk_and_jobs.py (a real 1 MB tmpfs).
"""

import argparse
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.processes import BenchDatabase, bench_env, run_manage, say  # noqa: E402 - needs ROOT on the path


class Site:
    """A migrated, seeded site on its own database and folder; processes stopped by their ids."""

    def __init__(self, tmp: Path, *, tasks: str):
        self.tmp = tmp
        tmp.mkdir(parents=True, exist_ok=True)
        self.processes: list[subprocess.Popen] = []
        self.database = BenchDatabase("huddle_faults_bench")
        self.env = bench_env(
            tmp,
            database_url=self.database.url,
            TASKS_BACKEND=tasks,
            REDIS_URL="",
            SEMANTIC_SEARCH="true",
            DB_STATEMENT_TIMEOUT="0",
        )
        self.database.create()
        self.manage("migrate", "--noinput", "-v0")
        self.manage("seed_demo", "-v0")

    def manage(self, *arguments: str, timeout: int = 900) -> str:
        return run_manage(self.env, *arguments, timeout=timeout)

    def shell(self, code: str) -> str:
        return self.manage("shell", "-v0", "-c", code).strip()

    def start(self, name: str, *arguments: str) -> subprocess.Popen:
        out = (self.tmp / f"{name}.log").open("a")
        process = subprocess.Popen(
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def start_worker(self) -> subprocess.Popen:
        """The django-tasks worker, polling fast so the bench does not wait on it."""
        return self.start(
            "worker", "db_worker", "--queue-name=*", "--interval=0.2", "--no-reload", "--no-startup-delay"
        )

    def kill(self, process: subprocess.Popen) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)
        self.database.drop()


JOBS = """
from django_tasks_db.models import DBTaskResult as J
c = {s: J.objects.filter(status=s).count() for s in ("READY", "RUNNING", "SUCCESSFUL", "FAILED")}
print(c["READY"], c["RUNNING"], c["SUCCESSFUL"], c["FAILED"])
"""

FOUND = """
from modelsearch.backends import get_search_backend
from knowledge.models import Micropost
from knowledge.semantic.models import Embedding
from knowledge.semantic.store import content_type_id_for
backend = get_search_backend()
posts = list(Micropost.objects.filter(text__startswith="Fault drill").order_by("pk"))
embedded = set(Embedding.objects.filter(content_type_id=content_type_id_for(Micropost))
               .values_list("object_id", flat=True))
step = max(1, len(posts) // {sample})  # every item when few, an even sample when many
checked = posts[::step]
by_keyword = sum(post.pk in {{hit.pk for hit in backend.search(post.text.split()[2], Micropost)}}
                 for post in checked)
print(len(checked), sum(post.pk in embedded for post in checked), by_keyword)
"""


COUNT = """
from modelsearch.backends import get_search_backend
from knowledge.models import Micropost
print(get_search_backend().search("renewal", Micropost).count())
"""


def jobs(site: Site) -> tuple[int, int, int, int]:
    return tuple(int(n) for n in site.shell(JOBS).split())


def found(site: Site, sample: int = 100_000) -> tuple[int, int, int]:
    """(items checked, of them with vectors, of them found by their own word)."""
    return tuple(int(n) for n in site.shell(FOUND.format(sample=sample)).split())


def wait_for_queue(site: Site, process: subprocess.Popen, timeout: float = 600) -> tuple:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = jobs(site)
        if state[0] == 0:
            return state
        if process.poll() is not None:
            raise SystemExit(f"the worker exited: {(site.tmp / 'worker.log').read_text()[-2000:]}")
        time.sleep(1)
    return jobs(site)


def worker_killed_mid_indexing(tmp: Path, items: int) -> bool:
    say("1. task worker killed in the middle of indexing")
    site = Site(tmp / "worker", tasks="database")
    try:
        site.shell(f"""
from django.contrib.auth import get_user_model
from knowledge.microposts import post_micropost
people = list(get_user_model().objects.filter(groups__name="Reps")[:10])
for n in range({items}):
    post_micropost(author=people[n % len(people)],
                   text=f"Fault drill word{{n:05d}}x said the renewal call went well #drill")
""")
        ready, running, done, failed = jobs(site)
        say(f"   {items} microposts posted; {ready} indexing and embedding jobs queued")
        worker = site.start_worker()
        while jobs(site)[2] < items // 3:
            time.sleep(0.2)
        site.kill(worker)
        ready, running, done, failed = jobs(site)
        say(f"   worker killed (SIGKILL) after {done} jobs: {running} left RUNNING, {ready} READY")

        worker = site.start_worker()
        ready, running, done, failed = wait_for_queue(site, worker)
        total, embedded, keyword = found(site)
        say(
            f"   restarted without the requeue step: queue empty, {running} job(s) stuck RUNNING; "
            f"{embedded}/{total} embedded, {keyword}/{total} found by keyword"
        )
        site.kill(worker)

        say("   " + site.manage("requeue_interrupted_tasks").strip())
        worker = site.start_worker()
        ready, running, done, failed = wait_for_queue(site, worker)
        total, embedded, keyword = found(site)
        ok = embedded == keyword == total and running == 0 and failed == 0
        say(
            f"   restarted as the systemd unit does (requeue, then db_worker): {done} jobs done, "
            f"{running} running, {failed} failed; {embedded}/{total} embedded, "
            f"{keyword}/{total} found by keyword -> {'OK' if ok else 'FAILED'}"
        )
        return ok
    finally:
        site.close()


def rebuild_killed_half_way(tmp: Path, items: int) -> bool:
    say("2. update_index (the index's rebuild) killed half way")
    site = Site(tmp / "rebuild", tasks="immediate")
    try:
        site.manage("update_index", "--skip-vectors", "-v0")
        before = site.shell(COUNT)
        # Rows written straight to the table, as an import would: the index does not have them yet.
        site.shell(f"""
from django.contrib.auth import get_user_model
from knowledge.models import Micropost
author = get_user_model().objects.filter(groups__name="Reps").first()
Micropost.objects.bulk_create(
    [Micropost(author=author, text=f"Fault drill word{{n:05d}}x imported note")
     for n in range({items})],
    batch_size=2000)
""")
        started = time.monotonic()
        rebuild = site.start("rebuild", "update_index", "--skip-vectors", "-v1")
        building = Path(site.env["HUDDLE_DATA_DIR"]) / "whoosh_index" / "BUILDING"
        while not building.exists() and rebuild.poll() is None:
            time.sleep(0.05)
        time.sleep(max(0.5, (time.monotonic() - started)))
        if rebuild.poll() is not None:
            say("   the rebuild finished before it could be killed: raise --rebuild-items")
            return False
        site.kill(rebuild)
        during = site.shell(COUNT)
        say(
            f"   killed after {time.monotonic() - started:.1f}s; searches still answer from the "
            f"previous index ('renewal': {during} hits, {before} before)"
        )
        site.manage("update_index", "--skip-vectors", "-v0")
        total, _embedded, keyword = found(site, sample=300)
        leftovers = sorted(
            p.name for p in (Path(site.env["HUDDLE_DATA_DIR"]) / "whoosh_index").iterdir() if p.name.startswith("gen-")
        )
        ok = keyword == total and during == before
        say(
            f"   next rebuild: {keyword}/{total} imported items (an even sample) found by keyword; "
            f"generations on disk: "
            f"{', '.join(leftovers)} -> {'OK' if ok else 'FAILED'}"
        )
        return ok
    finally:
        site.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=400, help="microposts the worker embeds")
    parser.add_argument("--rebuild-items", type=int, default=20000, help="items the rebuild indexes")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    tmp = Path(tempfile.mkdtemp(prefix="huddle-faults-"))
    try:
        results = [
            worker_killed_mid_indexing(tmp, args.items),
            rebuild_killed_half_way(tmp, args.rebuild_items),
        ]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
