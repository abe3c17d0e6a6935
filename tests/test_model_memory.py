"""Search by meaning loads its model once per machine: gunicorn's workers share the master's copy.

Four workers each loading the model cost about 650 MB (bench/model_memory.py); loaded before
the fork it is about 210 MB for all of them, once every worker has served searches.
"""

import sqlite3
from pathlib import Path

import pytest

from bench.model_memory import QUERIES, SEARCHES_PER_QUERY, make_site, measure, total

pytestmark = pytest.mark.slow

MODEL_BUDGET_MB = 250  # the whole machine, four workers


@pytest.mark.skipif(not Path("/proc/self/smaps_rollup").exists(), reason="needs Linux's /proc/PID/smaps_rollup")
def test_four_workers_share_one_model_loaded_before_the_fork(tmp_path):
    """The model's memory over master and four workers (search by meaning on minus off) stays under 250 MB."""
    env = make_site(tmp_path)
    without = measure(env, workers=4, preload=True, semantic=False)
    with_model = measure(env, workers=4, preload=True, semantic=True)
    cost = total(with_model) - total(without)
    assert 0 < cost < MODEL_BUDGET_MB, (without, with_model)


@pytest.mark.skipif(not Path("/proc/self/smaps_rollup").exists(), reason="needs Linux's /proc/PID/smaps_rollup")
def test_stopping_gunicorn_takes_a_moment_and_keeps_what_the_workers_buffered(tmp_path):
    """A restart (SIGTERM) with the model loaded before the fork: every worker writes its buffered
    search logs and leaves at once. They used to hang in the model runtime's exit until gunicorn
    killed them 30 s later, and what they had buffered was lost."""
    env = make_site(tmp_path)
    env.pop("REDIS_URL", None)  # buffers in each worker's own memory, as on one machine
    searches = len(QUERIES) * SEARCHES_PER_QUERY * 4
    result = measure(env, workers=4, preload=True, semantic=True)
    assert result["stopped_in"] < 10, result
    with sqlite3.connect(tmp_path / "site.sqlite3") as database:
        (table,) = database.execute("SELECT name FROM sqlite_master WHERE name LIKE '%searchlog'").fetchone()
        assert database.execute(f"SELECT count(*) FROM {table}").fetchone() == (searches,)
