"""Measures a real gunicorn worker's memory while a large coaching video is uploaded.

    .venv/bin/python bench/upload_memory.py [--size-mb 200] [--limit-mb 150]

Starts gunicorn (one sync worker) on a throw-away SQLite database and media folder, signs in as a
rep, shares a tiny video first (so every code path is loaded), resets the worker's peak-RSS counter
(/proc/<pid>/clear_refs), then streams a ``--size-mb`` WebM upload to /coaching/new/ from a
generator (the client holds no file in memory either). Prints the worker's peak RSS above its
baseline and fails (exit 1) above ``--limit-mb``. Linux only (reads /proc).
"""

import argparse
import http.client
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WEBM_HEADER = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm"
CHUNK = 1024 * 1024


def report(text: str, *, file=None) -> None:
    """One line of the bench's report (stdout) or of its progress and errors (stderr)."""
    (file or sys.stdout).write(text + "\n")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def proc_status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


def worker_pid(master_pid: int) -> int:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    if not children:
        raise RuntimeError("gunicorn has no worker yet")
    return int(children[0])


def multipart(fields: dict[str, str], file_name: str, file_size: int, boundary: str):
    """(content length, a generator of body chunks) for a form with one streamed file."""
    head = (
        b"".join(
            (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n').encode()
            for name, value in fields.items()
        )
        + (
            f"--{boundary}\r\nContent-Disposition: form-data; "
            f'name="file"; filename="{file_name}"\r\n'
            f"Content-Type: video/webm\r\n\r\n"
        ).encode()
    )
    tail = f"\r\n--{boundary}--\r\n".encode()

    def chunks():
        yield head
        yield WEBM_HEADER
        remaining = file_size - len(WEBM_HEADER)
        block = b"\0" * CHUNK
        while remaining > 0:
            piece = block if remaining >= CHUNK else block[:remaining]
            remaining -= len(piece)
            yield piece
        yield tail

    return len(head) + file_size + len(tail), chunks()


def share(port: int, session: str, csrf: str, *, title: str, size: int) -> tuple[int, str, float]:
    boundary = "huddle" + secrets.token_hex(8)
    length, body = multipart({"csrfmiddlewaretoken": csrf, "title": title}, "talk.webm", size, boundary)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.monotonic()
    conn.request(
        "POST",
        "/coaching/new/",
        body=body,
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(length),
            "Cookie": f"sessionid={session}; csrftoken={csrf}",
            "Host": "127.0.0.1",
        },
    )
    response = conn.getresponse()
    response.read()
    elapsed = time.monotonic() - started
    conn.close()
    return response.status, response.getheader("Location") or "", elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--limit-mb", type=int, default=150)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="huddle-upload-bench-"))
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DEBUG="false",
        DATABASE_URL=f"sqlite:///{workdir / 'bench.sqlite3'}",
        MEDIA_ROOT=str(workdir / "media"),
        HUDDLE_DATA_DIR=str(workdir / "data"),
        SEMANTIC_SEARCH=os.environ.get("SEMANTIC_SEARCH", "true"),
        VIDEO_MAX_UPLOAD_MB=str(max(500, args.size_mb + 10)),
    )
    os.environ.update(env)
    python = sys.executable
    report(f"Preparing a database in {workdir} …", file=sys.stderr)
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    user = get_user_model().objects.create_user("bench-rep", "bench@example.com", "bench-password")
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    csrf = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret, sent as cookie and field

    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(python).with_name("gunicorn")),
            "config.wsgi",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "600",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        status, location, _ = share(port, session, csrf, title="Warm-up", size=64 * 1024)
        if status != 302:
            report(f"Warm-up upload failed with HTTP {status}", file=sys.stderr)
            return 2
        worker = worker_pid(server.pid)
        Path(f"/proc/{worker}/clear_refs").write_text("5")  # resets VmHWM (peak RSS) to the current RSS
        baseline = proc_status_kb(worker, "VmRSS")
        status, location, elapsed = share(port, session, csrf, title="Big talk", size=args.size_mb * CHUNK)
        peak = proc_status_kb(worker, "VmHWM")
        stored = sorted((workdir / "media").rglob("*.webm"), key=lambda p: p.stat().st_size)[-1]
    finally:
        server.terminate()
        server.wait(timeout=30)

    above_mb = (peak - baseline) / 1024
    report(
        f"Upload of {args.size_mb} MB: HTTP {status} -> {location} in {elapsed:.1f}s "
        f"({args.size_mb / max(elapsed, 1e-6):.0f} MB/s); "
        f"stored {stored.stat().st_size / CHUNK:.0f} MB"
    )
    report(
        f"Worker RSS baseline {baseline / 1024:.0f} MB, peak {peak / 1024:.0f} MB: "
        f"{above_mb:.1f} MB above baseline (limit {args.limit_mb} MB)"
    )
    shutil.rmtree(workdir, ignore_errors=True)
    if status != 302:
        report("The upload did not succeed.", file=sys.stderr)
        return 1
    return 0 if above_mb < args.limit_mb else 1


if __name__ == "__main__":
    sys.exit(main())
