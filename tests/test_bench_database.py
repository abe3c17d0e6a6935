"""The benches make their own PostgreSQL database and drop only what they made."""

import os

import psycopg
import pytest

from bench.processes import BenchDatabase

SERVER = BenchDatabase.SERVER


def _server_answers() -> bool:
    try:
        psycopg.connect(f"{SERVER}/postgres", connect_timeout=2).close()
    except psycopg.OperationalError:
        return False
    return True


pytestmark = pytest.mark.skipif(not _server_answers(), reason="needs the PostgreSQL server on 127.0.0.1:5432")


def _exists(name: str) -> bool:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


@pytest.fixture
def name(monkeypatch):
    name = f"huddle_benchdb_test_{os.getpid()}"
    monkeypatch.setenv("BENCH_DATABASE", name)
    yield name
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_the_name_comes_from_the_environment_and_the_bench_drops_what_it_made(name):
    database = BenchDatabase("huddle_bench")
    assert database.url.endswith(f"/{name}")
    database.create()
    assert _exists(name)
    database.create()  # what an earlier, killed run left is replaced
    database.drop()
    assert not _exists(name)


def test_a_database_the_bench_did_not_make_is_never_dropped(name):
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    with psycopg.connect(f"{SERVER}/{name}", autocommit=True) as theirs:
        theirs.execute("CREATE TABLE kept (word text)")
        theirs.execute("INSERT INTO kept VALUES ('mine')")
    database = BenchDatabase("huddle_bench")
    with pytest.raises(SystemExit, match="no bench made it"):
        database.create()
    database.drop()
    with psycopg.connect(f"{SERVER}/{name}") as theirs:
        assert theirs.execute("SELECT word FROM kept").fetchall() == [("mine",)]


def test_a_name_that_is_not_an_identifier_is_refused(monkeypatch):
    monkeypatch.setenv("BENCH_DATABASE", "bench; DROP DATABASE test")
    with pytest.raises(SystemExit, match="letters, digits and underscores"):
        BenchDatabase("huddle_bench")
