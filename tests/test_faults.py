"""The site through real faults: PostgreSQL restarting or unreachable, Redis stopped or hanging.

PostgreSQL faults run gunicorn against a database of their own (huddle_faults) through a
TCP relay that this module can cut, refuse or stall, and by terminating the backends with
pg_terminate_backend: the shared server itself is never stopped. Redis faults use a
redis-server of their own on a free port.
"""

import errno
import os
import re
import selectors
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches

from config.cache import ResilientRedisCache

from .factories import PASSWORD, make_rep

ROOT = Path(__file__).resolve().parent.parent
PG_HOST, PG_PORT = "127.0.0.1", 5432
FAULTS_DB = "huddle_faults"
UNAVAILABLE = "Huddle is briefly unavailable"


def wait_until(condition: Callable[[], object], *, timeout: float = 10, what: str = "") -> object:
    """Polls ``condition`` until it returns something true, and returns that; fails after ``timeout`` s.

    A fixed sleep is too short on a loaded machine and wasted on an idle one.
    """
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"still not {what or condition.__name__} after {timeout} s")
        time.sleep(0.02)
    return result


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
    except OSError:
        return False
    return True


def _answers(url: str) -> bool:
    try:
        httpx.get(url, timeout=2)
    except httpx.TransportError:
        return False
    return True


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _postgres_answers() -> bool:
    try:
        socket.create_connection((PG_HOST, PG_PORT), timeout=1).close()
    except OSError:
        return False
    return True


class Relay:
    """A TCP relay to PostgreSQL that a test can cut (refuse), stall (never answer) or restore."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = _free_port()
        self.mode = "up"
        self._listener: socket.socket | None = None
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._held: list[socket.socket] = []
        self._lock = threading.Lock()
        self._selector = selectors.DefaultSelector()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._listen()
        self._thread.start()

    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.setblocking(False)
        with self._lock:
            self._listener = listener
            self._selector.register(listener, selectors.EVENT_READ, "accept")

    def cut(self) -> None:
        """Like a stopped server: open connections drop, new ones are refused."""
        with self._lock:
            self.mode = "down"
            if self._listener is not None:
                self._selector.unregister(self._listener)
                self._listener.close()
                self._listener = None
            self._close_all()

    def stall(self) -> None:
        """Like a server stuck starting up: connections are accepted and never answered."""
        self.restore()
        with self._lock:
            self.mode = "stall"
            self._close_all()

    def restore(self) -> None:
        with self._lock:
            self.mode = "up"
            for held in self._held:
                held.close()
            self._held.clear()
        if self._listener is None:
            self._listen()

    def close(self) -> None:
        self.cut()
        self._stop.set()
        self._thread.join(timeout=2)

    def _close_all(self) -> None:
        for client, upstream in self._pairs:
            for sock in (client, upstream):
                try:
                    self._selector.unregister(sock)
                except (KeyError, ValueError):
                    pass
                sock.close()
        self._pairs.clear()

    def _loop(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                events = self._selector.select(timeout=0.05) if self._selector.get_map() else []
                for key, _ in events:
                    if key.data == "accept":
                        self._accept(key.fileobj)
                    else:
                        self._pump(key.fileobj, key.data)
            if not events:
                time.sleep(0.01)

    def _accept(self, listener: socket.socket) -> None:
        try:
            client, _ = listener.accept()
        except OSError:
            return
        if self.mode == "stall":
            self._held.append(client)
            return
        upstream = socket.create_connection(self.target)
        self._pairs.append((client, upstream))
        self._selector.register(client, selectors.EVENT_READ, upstream)
        self._selector.register(upstream, selectors.EVENT_READ, client)

    def _pump(self, source: socket.socket, destination: socket.socket) -> None:
        try:
            data = source.recv(65536)
            if data:
                destination.sendall(data)
                return
        except OSError:
            pass
        for pair in list(self._pairs):
            if source in pair:
                self._pairs.remove(pair)
                for sock in pair:
                    self._selector.unregister(sock)
                    sock.close()


def _manage(*args: str, env: dict[str, str], timeout: int = 300) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _base_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        REDIS_URL="",
        TASKS_BACKEND="immediate",
        SEMANTIC_SEARCH="false",
    )
    env.update(extra)
    return env


def _sign_in(client: httpx.Client, username: str, password: str) -> None:
    page = client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302, response.text[:500]


@pytest.fixture(scope="module")
def pg_site(tmp_path_factory):
    """gunicorn (2 workers) on a PostgreSQL database of its own, reached through a Relay."""
    if not _postgres_answers():
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL does not answer on 127.0.0.1:5432")
        pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432")
    import psycopg

    with psycopg.connect(host=PG_HOST, port=PG_PORT, user="postgres", dbname="postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [FAULTS_DB]).fetchone():
            admin.execute(f"CREATE DATABASE {FAULTS_DB}")
    tmp = tmp_path_factory.mktemp("faults")
    direct = f"postgres://postgres@{PG_HOST}:{PG_PORT}/{FAULTS_DB}"
    env = _base_env(DATABASE_URL=direct, MEDIA_ROOT=str(tmp / "media"), HUDDLE_DATA_DIR=str(tmp))
    _manage("migrate", "--noinput", "-v0", env=env)
    _manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model as m\n"
        "from tests.factories import make_rep\n"
        "m().objects.filter(username='fault-rep').exists() or make_rep('fault-rep')",
        env=env,
    )

    relay = Relay((PG_HOST, PG_PORT))
    port = _free_port()
    server_env = {
        **env,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{relay.port}/{FAULTS_DB}",
        "DB_CONNECT_TIMEOUT": "2",
        "DB_CONN_MAX_AGE": "60",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_ACCESS_LOG": str(tmp / "access.log"),
    }
    log = (tmp / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--config", "config/gunicorn.py"],
        cwd=ROOT,
        env=server_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    wait_until(lambda: _answers(base_url + "/healthz"), timeout=30, what="gunicorn answering")
    client = httpx.Client(base_url=base_url, timeout=15)
    _sign_in(client, "fault-rep", PASSWORD)
    try:
        yield client, relay
    finally:
        client.close()
        server.terminate()
        server.wait(timeout=30)
        relay.close()
        log.close()


def _assert_unavailable_page(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text[:300]
    assert UNAVAILABLE in response.text
    assert response.headers["Retry-After"] == "10"


def _terminate_backends() -> int:
    import psycopg

    with psycopg.connect(host=PG_HOST, port=PG_PORT, user="postgres", dbname="postgres", autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [FAULTS_DB],
        ).fetchall()
    return len(rows)


def test_postgres_unreachable_gives_the_503_page_quickly_and_the_site_recovers(pg_site):
    client, relay = pg_site
    assert client.get("/").status_code == 200
    relay.cut()
    try:
        started = time.monotonic()
        _assert_unavailable_page(client.get("/"))
        assert time.monotonic() - started < 3
        health = client.get("/healthz")
        assert health.status_code == 503 and health.json()["status"] == "error"
    finally:
        relay.restore()
    assert client.get("/").status_code == 200  # no restart of gunicorn needed
    assert client.get("/healthz").json()["status"] == "ok"


def test_postgres_that_accepts_but_never_answers_does_not_hang_a_request(pg_site):
    client, relay = pg_site
    _terminate_backends()  # the workers' open connections go; the next ones meet the stall
    relay.stall()
    try:
        started = time.monotonic()
        _assert_unavailable_page(client.get("/"))
        assert time.monotonic() - started < 8  # connect_timeout is 2 s per attempt
    finally:
        relay.restore()
    assert client.get("/").status_code == 200


def test_postgres_restart_while_requests_run_fails_cleanly_and_recovers(pg_site):
    """Backends terminated again and again under 8 users: 200 or the 503 page, never a hang."""
    client, _ = pg_site
    cookies = dict(client.cookies)
    stop = threading.Event()
    answered = []  # one entry per finished request, from every user

    def browse(_):
        results = []
        with httpx.Client(base_url=str(client.base_url), cookies=cookies, timeout=15) as user:
            while not stop.is_set():
                started = time.monotonic()
                response = user.get("/")
                results.append((response.status_code, time.monotonic() - started, response))
                answered.append(True)
        return results

    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(browse, n) for n in range(8)]
        terminated = 0
        for _ in range(20):  # each time, once the users got an answer since the last termination
            seen = len(answered)
            wait_until(lambda seen=seen: len(answered) > seen, timeout=15, what="an answer since the termination")
            terminated += _terminate_backends()
        wait_until(lambda: len(answered) > 20, timeout=15, what="more than 20 answers")
        stop.set()
        results = [result for future in futures for result in future.result()]
    assert terminated > 0 and len(results) > 20
    for status, _, response in results:
        if status != 200:
            _assert_unavailable_page(response)
    assert max(seconds for _, seconds, _ in results) < 5
    assert all(client.get("/").status_code == 200 for _ in range(4))


# --- Redis --------------------------------------------------------------------------------


@pytest.fixture
def redis_server(tmp_path):
    """A redis-server of this test's own, so stopping it leaves the shared one alone."""
    binary = shutil.which("redis-server")
    if not binary:
        pytest.skip("redis-server is not installed")
    port = _free_port()

    def start():
        process = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp_path),
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_until(lambda: _listening(port), what="redis-server listening")
        return process

    state = {"process": start()}

    class Server:
        url = f"redis://127.0.0.1:{port}/0"

        def stop(self):
            state["process"].terminate()
            state["process"].wait(timeout=10)

        def start(self):
            state["process"] = start()

    yield Server()
    if state["process"].poll() is None:
        state["process"].terminate()
        state["process"].wait(timeout=10)


def _use_redis(settings, url: str) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


@pytest.mark.django_db
def test_site_keeps_working_when_redis_stops_and_uses_it_again_when_it_is_back(
    client, settings, redis_server, monkeypatch
):
    monkeypatch.setattr(ResilientRedisCache, "RETRY_AFTER", 0.2)
    _use_redis(settings, redis_server.url)
    make_rep("riley")
    assert client.post("/accounts/login/", {"username": "riley", "password": PASSWORD}).status_code == 302
    cache = caches["default"]
    cache.set("probe", "up")
    assert cache.get("probe") == "up"

    redis_server.stop()
    assert cache.get("probe", "missed") == "missed"  # a miss, not an error
    assert cache.incr("posts:riley") == 1  # a counter restarts rather than breaking its caller
    response = client.get("/")
    assert response.status_code == 200
    assert b"Riley" in response.content  # still signed in: cached_db sessions fall back to the db
    client.logout()
    assert client.post("/accounts/login/", {"username": "riley", "password": PASSWORD}).status_code == 302
    assert client.get("/").status_code == 200

    redis_server.start()

    def cache_kept_a_value() -> bool:  # once RETRY_AFTER has passed since Redis last failed
        cache.set("probe", "back")
        return cache.get("probe") == "back"

    wait_until(cache_kept_a_value, what="the cache using Redis again")
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_redis_url_where_nothing_listens_leaves_the_site_working(client, settings):
    _use_redis(settings, f"redis://127.0.0.1:{_free_port()}/0")
    make_rep("riley")
    assert client.post("/accounts/login/", {"username": "riley", "password": PASSWORD}).status_code == 302
    for path in ("/", "/tips/", "/coaching/"):
        assert client.get(path).status_code == 200, path
    assert get_user_model().objects.filter(username="riley").exists()


@pytest.mark.django_db
def test_redis_that_never_answers_costs_one_timeout_not_one_per_call(settings):
    """A stalled Redis (accepts, never replies) is skipped after the first socket timeout."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # connections complete in the backlog; nothing ever reads them
    try:
        _use_redis(settings, f"redis://127.0.0.1:{silent.getsockname()[1]}/0")
        cache = caches["default"]
        started = time.monotonic()
        assert cache.get("a") is None
        first = time.monotonic() - started
        started = time.monotonic()
        for number in range(50):
            cache.set(f"k{number}", number)
            assert cache.get(f"k{number}") is None
        rest = time.monotonic() - started
    finally:
        silent.close()
    assert first < 2
    assert rest < 0.2


@pytest.mark.django_db
def test_a_missing_table_is_a_bug_not_an_outage():
    """Only errors that pass by themselves get the 503 page; a schema error still shows as a 500."""
    from django.db import DatabaseError, connection

    from config.middleware import is_database_outage

    with pytest.raises(DatabaseError) as error, connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table_anywhere")
    assert not is_database_outage(error.value)


# --- a full disk under the media folder ---------------------------------------------------


@pytest.fixture
def tiny_media(settings, tmp_path):
    """MEDIA_ROOT on a real 1 MB tmpfs, so writes fail with ENOSPC as on a full disk."""
    folder = tmp_path / "tiny-media"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    settings.MEDIA_ROOT = str(folder)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


@pytest.mark.parametrize("size", [1536 * 1024, 3 * 1024 * 1024], ids=["in-memory", "temp-file"])
def test_a_full_disk_leaves_no_half_file(tiny_media, size, tmp_path):
    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

    if size > 2 * 1024 * 1024:  # what Django does with uploads above FILE_UPLOAD_MAX_MEMORY_SIZE
        upload = TemporaryUploadedFile("pitch.mp4", "video/mp4", size, None)
        upload.write(b"\x00" * size)
        upload.seek(0)
    else:
        upload = SimpleUploadedFile("pitch.mp4", b"\x00" * size, "video/mp4")
    with pytest.raises(OSError) as error:
        default_storage.save("media/pitch.mp4", upload)
    assert error.value.errno == errno.ENOSPC
    assert _files_under(tiny_media) == []


@pytest.mark.django_db
def test_video_upload_on_a_full_disk_says_so_and_changes_nothing(rep_client, tiny_media):
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse("video_create")
    except NoReverseMatch:
        pytest.skip("the coaching upload view is not there yet")
    from wagtail.models import Page

    pages = Page.objects.count()
    video = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * (1536 * 1024)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = rep_client.post(
        url,
        {
            "title": "Discovery call, first five minutes",
            "file": SimpleUploadedFile("pitch.mp4", video, "video/mp4"),
        },
    )
    assert response.status_code == 507
    assert b"disk is full" in response.content and b"not saved" in response.content
    assert _files_under(tiny_media) == []
    assert Page.objects.count() == pages


@pytest.mark.django_db
def test_jobs_a_killed_worker_left_running_go_back_in_the_queue():
    """django-tasks-db never retries a claimed job; the worker unit requeues them first."""
    from django.core.management import call_command
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    job = {
        "args_kwargs": {"args": ["knowledge.micropost", 1], "kwargs": {}},
        "backend_name": "default",
        "task_path": "knowledge.semantic.tasks.refresh_vectors",
        "run_after": now,
    }
    stuck = DBTaskResult.objects.create(status="RUNNING", started_at=now, worker_ids=["dead"], **job)
    done = DBTaskResult.objects.create(status="SUCCESSFUL", started_at=now, finished_at=now, **job)
    call_command("requeue_interrupted_tasks", verbosity=0)
    stuck.refresh_from_db()
    done.refresh_from_db()
    assert (stuck.status, stuck.started_at) == ("READY", None)
    assert done.status == "SUCCESSFUL"
    assert DBTaskResult.objects.ready().filter(pk=stuck.pk).exists()
