"""What the fault tests share: waiting for a condition, a TCP relay that can cut, refuse or stall
a connection, and running Huddle's own processes against a database of their own."""

import os
import re
import selectors
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

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
