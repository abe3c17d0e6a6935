"""A new web worker loads the model, vectors, index reader and templates before its first request."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import warmup

ROOT = Path(__file__).resolve().parent.parent

# A fresh worker: warm up, then forbid loading the model or reading a template file again.
# The first search and the first page must still work, from what the warm-up loaded.
FIRST_REQUEST = """
import django
django.setup()
from django.template.loader import get_template
from django.template.loaders import filesystem
from knowledge.semantic import encoder
from config import warmup

if WARM:
    warmup.warm_up()

def refuse(*args, **kwargs):
    raise SystemExit("loaded on the first request: " + repr(args[1:2]))

encoder.Encoder.__init__ = refuse
filesystem.Loader.get_contents = refuse
encoder.embed(["how do I re-engage a buyer"])
get_template("knowledge/home_page.html")
print("nothing left to load")
"""


def first_request(tmp_path, *, warm: bool) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        # The vectors step needs tables; without them it logs and the other steps still run.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
    }
    script = f"WARM = {warm}\n" + FIRST_REQUEST
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_warm_up_leaves_nothing_for_the_first_request_to_load(tmp_path):
    warmed = first_request(tmp_path, warm=True)
    assert warmed.returncode == 0, warmed.stderr[-2000:]
    assert "nothing left to load" in warmed.stdout

    cold = first_request(tmp_path, warm=False)  # the same check fails without the warm-up
    assert cold.returncode != 0 and "loaded on the first request" in cold.stderr


@pytest.mark.django_db
def test_a_failing_step_does_not_stop_the_worker(monkeypatch, caplog):
    def broken():
        raise RuntimeError("database is down")

    monkeypatch.setattr(warmup, "_search_index", broken)
    warmup.warm_up()
    assert "Warm-up step broken failed" in caplog.text
