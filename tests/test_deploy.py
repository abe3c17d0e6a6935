"""The deploy/ samples agree with the settings and commands they drive."""

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import load_command_class

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def _unit(name: str) -> dict[str, list[str]]:
    """A systemd unit as {key: [values]} (keys may repeat)."""
    values: dict[str, list[str]] = {}
    for line in (DEPLOY / "systemd" / name).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def _env_sample() -> dict[str, str]:
    lines = (DEPLOY / "huddle.env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_nginx_takes_the_largest_video_and_hides_media_behind_the_session():
    conf = (DEPLOY / "nginx" / "huddle.conf").read_text()
    limit_mb = int(re.search(r"client_max_body_size (\d+)m;", conf).group(1))
    assert limit_mb * 1024 * 1024 > settings.VIDEO_MAX_UPLOAD_BYTES
    internal = re.search(r"location (\S+) \{\s*internal;\s*alias (\S+);", conf)
    assert internal.group(1) == settings.MEDIA_ACCEL_PREFIX
    assert internal.group(2).rstrip("/") == _env_sample()["MEDIA_ROOT"]
    assert "X-Forwarded-Proto $scheme" in conf  # production trusts it for https
    assert "location /media/" not in conf  # media never bypasses Django's check


def _location(conf: str, prefix: str) -> str:
    match = re.search(rf"location {re.escape(prefix)} \{{(.*?)\n    \}}", conf, re.DOTALL)
    assert match, f"no location {prefix} in the nginx sample"
    return match.group(1)


def test_nginx_downloads_everything_but_videos_audio_and_images():
    """Django's view sends HTML, SVG and the rest to a location that makes them sandboxed downloads."""
    conf = (DEPLOY / "nginx" / "huddle.conf").read_text()
    assert _env_sample()["MEDIA_DOWNLOAD_PREFIX"] == settings.MEDIA_DOWNLOAD_PREFIX
    download = _location(conf, settings.MEDIA_DOWNLOAD_PREFIX)
    assert "internal;" in download and "alias /var/lib/huddle/media/;" in download
    assert "types { }" in download and "default_type application/octet-stream;" in download
    assert 'add_header Content-Disposition "attachment" always;' in download
    assert 'add_header Content-Security-Policy "sandbox" always;' in download
    assert "add_header X-Content-Type-Options nosniff always;" in download
    shown = _location(conf, settings.MEDIA_ACCEL_PREFIX)
    assert "add_header X-Content-Type-Options nosniff always;" in shown
    assert "default_type application/octet-stream;" in shown
    named = set(re.findall(r"^\s+(\w+/[\w+-]+) ", shown, re.MULTILINE))
    assert named and all(kind.startswith(("video/", "audio/", "image/")) for kind in named)
    assert "image/svg+xml" not in named and "text/html" not in named


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed")
def test_nginx_accepts_the_sample_site(tmp_path):
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=huddle.example.com",
            "-keyout",
            tmp_path / "key",
            "-out",
            tmp_path / "cert",
        ],
        check=True,
        capture_output=True,
    )
    site = (DEPLOY / "nginx" / "huddle.conf").read_text()
    site = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {tmp_path / 'cert'};", site)
    site = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {tmp_path / 'key'};", site)
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{ include /etc/nginx/mime.types; include {tmp_path}/site.conf; }}\n"
    )
    result = subprocess.run(["nginx", "-t", "-c", tmp_path / "nginx.conf"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_worker_unit_runs_a_command_db_worker_accepts(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    unit = _unit("huddle-worker.service")
    argv = shlex.split(unit["ExecStart"][0])
    assert argv[1:3] == ["manage.py", "db_worker"]
    command = load_command_class("django_tasks_db", "db_worker")
    options = command.create_parser("manage.py", "db_worker").parse_args(argv[3:])
    assert options.queue_name == "*" and options.reload is False
    assert shlex.split(unit["ExecStartPre"][0])[1:] == ["manage.py", "requeue_interrupted_tasks"]
    assert unit["EnvironmentFile"] == _unit("huddle-web.service")["EnvironmentFile"]


def test_worker_yields_the_cpu_to_web_requests_in_the_unit_and_the_load_bench():
    """Background jobs run at a lower priority than gunicorn, and bench/load.py measures it that way."""
    from bench.load import WORKER_NICE

    worker_nice = int(_unit("huddle-worker.service")["Nice"][0])
    assert worker_nice > 0
    assert "Nice" not in _unit("huddle-web.service")
    assert WORKER_NICE == worker_nice


def test_web_unit_runs_gunicorn_with_four_workers_on_loopback():
    argv = shlex.split(_unit("huddle-web.service")["ExecStart"][0])
    assert argv[1] == "config.wsgi"
    config: dict = {}
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GUNICORN_", "WEB_"))}
    code = (ROOT / "config" / "gunicorn.py").read_text()
    saved = os.environ.copy()
    try:
        os.environ.clear()
        os.environ.update(env)
        exec(compile(code, "gunicorn.py", "exec"), config)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert config["workers"] == 4
    assert config["bind"] == "127.0.0.1:8000"
    assert config["timeout"] > int(_env_sample()["DB_STATEMENT_TIMEOUT"])


def test_env_sample_passes_the_deploy_check(tmp_path):
    """The sample environment, with a real secret, passes `check --deploy`."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(_env_sample())
    env.update(
        SECRET_KEY="k3y-" * 5 + "for-the-deploy-check-" + "x9" * 20,
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        HUDDLE_DATA_DIR=str(tmp_path),
        MEDIA_ROOT=str(tmp_path / "media"),
        STATIC_ROOT=str(tmp_path / "static"),
        TASKS_BACKEND="database",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
