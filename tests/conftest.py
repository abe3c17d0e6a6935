import os

import pytest
from django.test import Client

from . import factories

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls there otherwise.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _isolated_search_index(settings, tmp_path):
    """Each test gets its own empty Whoosh index folder, so no test sees another's documents."""
    backends = {name: dict(conf) for name, conf in settings.WAGTAILSEARCH_BACKENDS.items()}
    if backends["default"]["BACKEND"] == "knowledge.search.whoosh":
        backends["default"]["PATH"] = str(tmp_path / "whoosh_index")
        settings.WAGTAILSEARCH_BACKENDS = backends
        settings.MODELSEARCH_BACKENDS = backends


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def rep(db):
    return factories.make_rep("rep")


@pytest.fixture
def other_rep(db):
    return factories.make_rep("peer")


@pytest.fixture
def manager(db):
    return factories.make_manager("manager")


@pytest.fixture
def marketer(db):
    return factories.make_marketer("marketing")


def _client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def rep_client(rep):
    return _client_for(rep)


@pytest.fixture
def other_rep_client(other_rep):
    return _client_for(other_rep)


@pytest.fixture
def manager_client(manager):
    return _client_for(manager)


@pytest.fixture
def marketer_client(marketer):
    return _client_for(marketer)


@pytest.fixture(autouse=True)
def _fresh_vector_indexes():
    """Each test starts like a new process: no nearest-neighbour index of another test's rows in memory."""
    from knowledge.semantic.store import VectorIndex

    VectorIndex.forget_all()
    yield
    VectorIndex.forget_all()


@pytest.fixture(autouse=True)
def _empty_cache():
    """The locmem cache outlives a test: clear it so cached lists and rate limits start fresh."""
    from django.core.cache import cache

    cache.clear()
    yield
