"""What the process-driving benches share: progress and figures output, manage.py in a subprocess."""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bench_env(tmp: Path, *, database_url: str, **settings: str) -> dict[str, str]:
    """This environment for a bench's own site: bench.settings, its database and folders, quiet logs.

    ``settings`` adds or overrides variables (REDIS_URL, TASKS_BACKEND, ...).
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=database_url,
        HUDDLE_DATA_DIR=str(tmp / "data"),
        MEDIA_ROOT=str(tmp / "media"),
        EMAIL_URL="console:",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    env.update(settings)
    return env


def log(message: str) -> None:
    """Progress, on stderr."""
    sys.stderr.write(f"[{time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


def say(text: str = "") -> None:
    """Figures, on stdout."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def run_manage(env: dict[str, str], *arguments: str, timeout: int = 900) -> str:
    """Runs ``manage.py`` with ``env``; its stdout, or exit with what it printed when it fails."""
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(arguments)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def wait_until_healthy(base_url: str, process: subprocess.Popen, log_file: Path, *, seconds: float = 90) -> None:
    """Waits for ``/healthz`` to answer 200; stops the bench with the server's log if it never does."""
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(base_url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.3)
    raise SystemExit("gunicorn did not start:\n" + log_file.read_text()[-3000:])


class BenchDatabase:
    """A PostgreSQL database a bench makes for itself, named by ``BENCH_DATABASE`` or its default.

    The bench marks what it creates (a comment on the database) and drops only a database that
    carries the mark: a name that already belongs to somebody else stops the bench with a message
    instead of losing their data. A database left marked by a bench that was killed is replaced.
    """

    SERVER = "postgres://postgres@127.0.0.1:5432"
    MARK = "made by a Huddle bench (bench/); dropped when the bench ends"

    def __init__(self, default_name: str):
        self.name = os.environ.get("BENCH_DATABASE") or default_name
        if not self.name.replace("_", "").isalnum() or not self.name[0].isalpha():
            raise SystemExit(f"BENCH_DATABASE={self.name!r}: use letters, digits and underscores")
        self.url = f"{self.SERVER}/{self.name}"

    def _admin(self):
        import psycopg

        return psycopg.connect(f"{self.SERVER}/postgres", autocommit=True)

    def _mark(self, admin) -> str | None:
        """The database's comment, or None when there is no such database."""
        row = admin.execute(
            "SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database WHERE datname = %s",
            [self.name],
        ).fetchone()
        return None if row is None else row[0]

    def create(self) -> None:
        with self._admin() as admin:
            mark = self._mark(admin)
            if mark is not None and mark != self.MARK:
                raise SystemExit(
                    f"database {self.name} exists and no bench made it; it is left alone. "
                    f"Set BENCH_DATABASE to a name that is free."
                )
            if mark is not None:
                log(f"replacing {self.name}, left by an earlier bench run")
                admin.execute(f"DROP DATABASE {self.name} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {self.name}")
            admin.execute(f"COMMENT ON DATABASE {self.name} IS '{self.MARK}'")

    def drop(self) -> None:
        with self._admin() as admin:
            if self._mark(admin) == self.MARK:
                admin.execute(f"DROP DATABASE {self.name} WITH (FORCE)")
