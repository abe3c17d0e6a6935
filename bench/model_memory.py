"""Measures what search by meaning costs in memory across gunicorn's workers, with and without preloading.

    python bench/model_memory.py [--workers 4]

Starts gunicorn (config/gunicorn.py) on the loopback over the small demo site, four
times: the model loaded before the fork (GUNICORN_PRELOAD, the default) or in each
worker, and SEMANTIC_SEARCH on or off. After every worker has warmed up and they have
shared out 16 searches per worker (two clients per worker at once, so none stays idle),
it adds up the proportional set size (Pss in /proc/PID/smaps_rollup: a page shared by
n processes counts 1/n in each) of the master and its workers. The model's
cost is the total with search by meaning on minus the total with it off.
"""

import argparse
import re
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.processes import bench_env, log, run_manage, say  # noqa: E402

PASSWORD = "huddle-demo"
QUERIES = ["prospect went dark", "pricing pushback", "testimonials", "renewal"]
SEARCHES_PER_QUERY = 4  # per worker


def make_site(folder: Path) -> dict[str, str]:
    """The demo site (with its vectors) in a SQLite file in folder; the environment that serves it."""
    env = bench_env(folder, database_url=f"sqlite:///{folder / 'site.sqlite3'}")
    run_manage(env, "migrate", "--noinput", "-v0")
    run_manage(env, "seed_demo", "--size", "small", "-v0")
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def workers_of(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


def pss_mb(pid: int) -> float:
    """The process's proportional set size in MB: its own pages plus its share of shared ones."""
    text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    return int(re.search(r"^Pss:\s+(\d+) kB", text, re.MULTILINE)[1]) / 1024


def measure(env: dict[str, str], *, workers: int, preload: bool, semantic: bool, timeout: float = 180) -> dict:
    """Starts gunicorn, waits until every worker has warmed up and searched, then reads each process's Pss."""
    import httpx

    port = free_port()
    server_env = {
        **env,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_PRELOAD": "true" if preload else "false",
        "GUNICORN_ACCESS_LOG": "",
        "GUNICORN_MAX_REQUESTS": "0",
        "SEMANTIC_SEARCH": "true" if semantic else "false",
        "LOG_LEVEL": "INFO",
    }
    with tempfile.TemporaryFile("w+") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--config", "config/gunicorn.py"],
            cwd=ROOT,
            env=server_env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + timeout
            while output.seek(0) == 0 and output.read().count("Worker warmed up") < workers:
                if server.poll() is not None or time.monotonic() > deadline:
                    output.seek(0)
                    raise RuntimeError(f"gunicorn did not start its workers:\n{output.read()[-3000:]}")
                time.sleep(0.2)
            # Searches from 2 clients per worker at once, each on a new connection, so that every
            # worker serves its share: sequential requests left some workers idle and the total
            # then depended on which ones had searched (one run 154 MB, the next 260 MB).
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
                page = client.get("/accounts/login/")
                token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
                signed_in = client.post(
                    "/accounts/login/", data={"username": "rep", "password": PASSWORD, "csrfmiddlewaretoken": token}
                )
                assert signed_in.status_code == 302, signed_in.text[:500]

                def search(query: str) -> None:
                    response = client.get("/search/", params={"q": query}, headers={"Connection": "close"})
                    assert response.status_code == 200, response.text[:500]

                with ThreadPoolExecutor(max_workers=2 * workers) as pool:
                    list(pool.map(search, QUERIES * SEARCHES_PER_QUERY * workers))
            children = workers_of(server.pid)
            assert len(children) == workers, children
            result = {"master": pss_mb(server.pid), "workers": [pss_mb(pid) for pid in children]}
        finally:
            server.terminate()
            stopping = time.monotonic()
            server.wait(timeout=60)  # gunicorn kills workers still there after graceful_timeout (30 s)
        result["stopped_in"] = time.monotonic() - stopping
        return result


def total(result: dict) -> float:
    return result["master"] + sum(result["workers"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="huddle-model-memory-") as folder:
        log("building the demo site")
        env = make_site(Path(folder))
        say(f"gunicorn, {args.workers} sync workers, the demo site; Pss in MB (master + workers = total):")
        costs = {}
        for preload in (True, False):
            totals = {}
            for semantic in (False, True):
                log(f"preload={preload} semantic={semantic}")
                result = measure(env, workers=args.workers, preload=preload, semantic=semantic)
                totals[semantic] = total(result)
                workers = " + ".join(f"{mb:.0f}" for mb in result["workers"])
                say(
                    f"  {'preloaded' if preload else 'per worker'}, meaning {'on ' if semantic else 'off'}: "
                    f"{result['master']:.0f} + {workers} = {totals[semantic]:.0f}"
                )
            costs[preload] = totals[True] - totals[False]
        say(
            f"search by meaning costs {costs[True]:.0f} MB loaded before the fork, {costs[False]:.0f} MB loaded "
            f"in each worker: {costs[False] / costs[True]:.1f}x as much (target: under 250 MB at 4 workers)"
        )


if __name__ == "__main__":
    main()
