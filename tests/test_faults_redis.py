"""The site through Redis faults: a redis-server of the test's own, stopped, never answering, or absent."""

import shutil
import socket
import subprocess
import time

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches

from config.cache import ResilientRedisCache

from .factories import PASSWORD, make_rep
from .faults_support import (
    _free_port,
    _listening,
    wait_until,
)


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
def test_cache_calls_share_one_redis_client_and_a_forked_worker_still_reads_the_cache(
    settings, redis_server, monkeypatch
):
    """Django built a redis client (two dicts of ~80 callbacks) for every cache call: 2.3 ms of a
    feed page. One client now serves every call, and a process forked after it was built (a
    gunicorn worker under preload) still reads and writes through connections of its own."""
    import os

    import redis

    built = []
    original = redis.Redis.__init__
    monkeypatch.setattr(redis.Redis, "__init__", lambda self, *a, **k: built.append(1) or original(self, *a, **k))
    _use_redis(settings, redis_server.url)
    cache = caches["default"]
    for number in range(20):
        cache.set(f"n{number}", number)
        assert cache.get(f"n{number}") == number
    assert cache.get_many(["n1", "n2"]) == {"n1": 1, "n2": 2}
    assert len(built) == 1

    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # the worker: read what the master wrote, write something of its own
        try:
            ok = cache.get("n7") == 7 and cache.set("from-child", "hello") is None
            os.write(writer, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.close(writer)
    answer = os.read(reader, 1)
    os.waitpid(child, 0)
    assert answer == b"1"
    assert cache.get("from-child") == "hello"
    assert cache.get("n3") == 3  # the master's own connection still answers
