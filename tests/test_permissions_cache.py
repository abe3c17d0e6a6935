"""Each user's permissions come from the cache, and every change to them shows on the next page."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import checks
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config import caching
from knowledge.roles import MARKETING

from . import factories

pytestmark = pytest.mark.django_db

CURATE_LINK = "Curate (admin)"


def _home(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    permission_queries = [q["sql"] for q in queries.captured_queries if "auth_permission" in q["sql"]]
    return response.content.decode(), permission_queries


def test_permissions_are_read_once_then_come_from_the_cache(client):
    client.force_login(factories.make_marketer())
    page, first = _home(client)
    assert CURATE_LINK in page
    assert len(first) == 2  # the user's own and their groups' permissions
    page, again = _home(client)
    assert CURATE_LINK in page
    assert again == []


def test_joining_and_leaving_a_group_shows_on_the_next_page(client):
    rep = factories.make_rep()
    client.force_login(rep)
    assert CURATE_LINK not in _home(client)[0]

    rep.groups.add(Group.objects.get(name=MARKETING))
    assert CURATE_LINK in _home(client)[0]

    rep.groups.remove(Group.objects.get(name=MARKETING))
    assert CURATE_LINK not in _home(client)[0]


def test_a_group_gaining_or_losing_a_permission_shows_on_the_next_page(client):
    rep = factories.make_rep()
    client.force_login(rep)
    assert CURATE_LINK not in _home(client)[0]
    access_admin = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    reps = rep.groups.get()

    reps.permissions.add(access_admin)
    assert CURATE_LINK in _home(client)[0]

    reps.permissions.remove(access_admin)
    assert CURATE_LINK not in _home(client)[0]


def test_a_direct_permission_and_superuser_status_show_on_the_next_page(client):
    rep = factories.make_rep()
    client.force_login(rep)
    assert CURATE_LINK not in _home(client)[0]
    access_admin = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")

    rep.user_permissions.add(access_admin)
    assert CURATE_LINK in _home(client)[0]
    rep.user_permissions.remove(access_admin)
    assert CURATE_LINK not in _home(client)[0]

    rep.is_superuser = True
    rep.save(update_fields=["is_superuser"])
    assert CURATE_LINK in _home(client)[0]


def test_without_a_cache_permissions_are_still_checked(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    client.force_login(factories.make_rep())
    page, queries = _home(client)
    assert CURATE_LINK not in page
    assert len(queries) == 2


# --- Several processes --------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def _production_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="x" * 20 + "-production-secret-for-the-cache-check-" + "y" * 20,
        ALLOWED_HOSTS="huddle.example.com",
        REDIS_URL="",
    )
    env.update(extra)
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_production_refuses_several_workers_without_a_shared_cache():
    """Two gunicorn workers on in-process caches kept a removed permission for minutes: refused."""
    env = _production_env(WEB_CONCURRENCY="2")
    check = _run([sys.executable, "manage.py", "check", "--deploy"], env)
    assert check.returncode != 0
    assert "WEB_CONCURRENCY is 2 but REDIS_URL is not set" in check.stderr
    start = _run([sys.executable, "-c", "import config.wsgi"], env)  # what each gunicorn worker does
    assert start.returncode != 0
    assert "WEB_CONCURRENCY is 2 but REDIS_URL is not set" in start.stderr


def test_gunicorn_tells_django_how_many_workers_share_the_cache():
    """gunicorn's default of 4 workers counts as several even when WEB_CONCURRENCY is unset."""
    env = _production_env()
    env.pop("WEB_CONCURRENCY", None)
    script = "import runpy, os; runpy.run_path('config/gunicorn.py'); import config.wsgi"
    result = _run([sys.executable, "-c", script], env)
    assert result.returncode != 0
    assert "WEB_CONCURRENCY is 4 but REDIS_URL is not set" in result.stderr


def test_production_starts_with_several_workers_and_redis_or_with_one_worker():
    ok_with_redis = _run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        _production_env(WEB_CONCURRENCY="4", REDIS_URL="redis://127.0.0.1:6379/0"),
    )
    assert ok_with_redis.returncode == 0, ok_with_redis.stderr
    ok_alone = _run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        _production_env(WEB_CONCURRENCY="1"),
    )
    assert ok_alone.returncode == 0, ok_alone.stderr


def test_deploy_check_flags_several_workers_on_an_in_process_cache_under_any_settings(settings):
    settings.WEB_CONCURRENCY = 3
    messages = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.caches])
    assert [message.id for message in messages] == ["huddle.E001"]
    assert "WEB_CONCURRENCY is 3 but the cache is in-process" in messages[0].msg
    settings.WEB_CONCURRENCY = 1
    assert checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.caches]) == []


def test_in_process_cache_keeps_permissions_only_seconds(client, monkeypatch):
    """A change made in another process moves no version here: the set expires after seconds."""
    monkeypatch.setattr(caching, "ACCESS_IN_PROCESS_SECONDS", 1)
    rep = factories.make_rep()
    rep.groups.add(Group.objects.get(name=MARKETING))
    client.force_login(rep)
    assert CURATE_LINK in _home(client)[0]
    # What another worker's change looks like from here: the rows change, no signal fires.
    rep.groups.through.objects.filter(user=rep, group__name=MARKETING).delete()
    time.sleep(1.2)
    assert CURATE_LINK not in _home(client)[0]


@pytest.fixture
def redis_url(tmp_path):
    binary = shutil.which("redis-server")
    if not binary:
        pytest.skip("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


OTHER_WORKER = """
import sys
from django.conf import settings
settings.configure(CACHES={"default": {"BACKEND": "config.cache.ResilientRedisCache", "LOCATION": sys.argv[1]}})
from config.caching import PERMISSIONS, cached
print(sorted(cached(PERMISSIONS, lambda: {"rebuilt-from-the-database"}, key=sys.argv[2], timeout=600)))
"""


def test_a_permission_change_reaches_another_process_at_once_through_redis(client, settings, redis_url):
    """Another worker (a separate process on the same Redis) sees the change on its next read."""
    settings.CACHES = {"default": {"BACKEND": "config.cache.ResilientRedisCache", "LOCATION": redis_url}}
    marketer = factories.make_marketer()
    client.force_login(marketer)
    assert CURATE_LINK in _home(client)[0]
    key = f"{marketer.pk}:0"

    def other_worker_reads() -> str:
        result = _run([sys.executable, "-c", OTHER_WORKER, redis_url, key], dict(os.environ))
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert "wagtailadmin.access_admin" in other_worker_reads()  # served from the shared cache
    marketer.groups.clear()
    assert other_worker_reads().strip() == "['rebuilt-from-the-database']"
    assert CURATE_LINK not in _home(client)[0]
