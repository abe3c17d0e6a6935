"""A real HTTP server on the loopback that records what is POSTed to it and answers as a test scripts it."""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Answer:
    status: int = 200
    body: str = "ok"
    delay: float = 0.0  # seconds before answering: longer than the client's timeout is a timeout
    headers: dict = field(default_factory=dict)


@dataclass
class Received:
    method: str
    path: str
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class WebhookServer:
    base_url: str = ""
    requests: list = field(default_factory=list)
    script: list = field(default_factory=list)  # answers for the next requests, in order; then 200 "ok"
    routes: dict = field(default_factory=dict)  # path -> Answer, for fixed answers (users.info)

    def url(self, path: str = "/hook") -> str:
        return f"{self.base_url}{path}"

    def posted(self, path: str = "/hook") -> list:
        return [request for request in self.requests if request.path.split("?")[0] == path]


def _handler(server: WebhookServer):
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            with lock:
                server.requests.append(Received(self.command, self.path, dict(self.headers), body))
                route = server.routes.get(self.path.split("?")[0])
                answer = route or (server.script.pop(0) if server.script else Answer())
            if answer.delay:
                time.sleep(answer.delay)
            payload = answer.body.encode()
            try:
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (a timeout test)

        do_POST = _answer
        do_GET = _answer

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture(name="webhook_server")
def webhook_server_fixture():
    """Starts the server on a free loopback port for one test."""
    state = WebhookServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()
