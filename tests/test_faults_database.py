"""The site through PostgreSQL faults: restarting, unreachable, or accepting and never answering.

They run gunicorn against a database of their own (huddle_faults) through a TCP relay
(tests/faults_support.py) that can cut, refuse or stall connections, and terminate the backends
with pg_terminate_backend: the shared server itself is never stopped.
"""

import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from .factories import PASSWORD
from .faults_support import (
    FAULTS_DB,
    PG_HOST,
    PG_PORT,
    ROOT,
    UNAVAILABLE,
    Relay,
    _answers,
    _base_env,
    _free_port,
    _manage,
    _postgres_answers,
    _sign_in,
    wait_until,
)


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


@pytest.mark.django_db
def test_a_missing_table_is_a_bug_not_an_outage():
    """Only errors that pass by themselves get the 503 page; a schema error still shows as a 500."""
    from django.db import DatabaseError, connection

    from config.middleware import is_database_outage

    with pytest.raises(DatabaseError) as error, connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table_anywhere")
    assert not is_database_outage(error.value)


# --- a full disk under the media folder ---------------------------------------------------
