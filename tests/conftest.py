import os
from pathlib import Path

import pytest
from django.test import Client

from . import factories

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls there otherwise.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Modules whose tests start other processes (slapd, a SAML or OpenID provider, gunicorn, manage.py)
# or run a whole worker: seconds each. `make test` runs them; the fast tier leaves them out.
SLOW_MODULES = {
    "test_deploy",
    "test_faults_database",
    "test_faults_disk_and_jobs",
    "test_faults_redis",
    "test_ldap_sign_in",
    "test_model_memory",
    "test_oidc_sign_in",
    "test_saml_sign_in",
    "test_warmup",
}


def pytest_collection_modifyitems(items):
    """Marks the browser tests (tests/e2e) and the slow modules, for `-m "not browser and not slow"`."""
    for item in items:
        if "e2e" in item.path.parts:
            item.add_marker(pytest.mark.browser)
        if item.path.stem in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


def pytest_configure(config):
    """Django serializes no rows for serialized rollbacks: ``migrated_data`` and the fixture below do.

    Django's restore wrote Wagtail pages before their content types (contenttypes comes late in
    INSTALLED_APPS) and collided with the content types a flush had re-created, so every browser
    test after the first failed on a unique constraint.
    """
    from django.apps import apps
    from django.test.utils import override_settings

    override_settings(TEST_NON_SERIALIZED_APPS=[app.name for app in apps.get_app_configs()]).enable()


@pytest.fixture(scope="session")
def migrated_data(tmp_path_factory) -> Path:
    """The file that holds the rows the migrations made (roles, the page tree), as JSON."""
    return tmp_path_factory.mktemp("migrated") / "data.json"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, migrated_data):
    """The test database, and a dump of its migrated rows before any test changes them."""
    from django.apps import apps
    from django.core.management import call_command

    # Content types first: a page's save signals look its content type up, and create it if missing.
    labels = ["contenttypes", *(app.label for app in apps.get_app_configs() if app.label != "contenttypes")]
    with django_db_blocker.unblock():
        call_command("dumpdata", *labels, output=str(migrated_data), use_base_manager=True, verbosity=0)


@pytest.fixture(autouse=True)
def _migrated_data_for_transactional_tests(request):
    """Gives tests that commit (browser tests, workers) the migrated data: roles, page tree.

    A transactional test ends by emptying every table, so the next one finds the data gone; it is
    loaded again here. ``loaddata`` checks foreign keys only once every row is in, and moves each
    table's sequence past the ids it loaded (PostgreSQL), as the flush reset them.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = marker and marker.kwargs.get("transaction")
    if not transactional and not {"transactional_db", "live_server"} & set(request.fixturenames):
        return
    request.getfixturevalue("transactional_db")
    migrated_data = request.getfixturevalue("migrated_data")
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache
    from django.core.management import call_command
    from wagtail.models import Page

    if Page.objects.filter(depth=2).exists():
        return
    call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True)
    ContentType.objects.clear_cache()
    call_command("loaddata", str(migrated_data), verbosity=0)
    ContentType.objects.clear_cache()
    cache.clear()  # what save signals cached mid-load, such as Wagtail's site root paths without their pages


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


@pytest.fixture(autouse=True)
def _permissions_kept_for_the_test(monkeypatch):
    """Keeps a cached permission set for the whole test, as a shared cache does.

    The in-process cache of the tests keeps it 5 s, so on a slow run a "warm" page counted after
    seconds of setup read the permissions again and the query counts moved. The expiry itself
    is tested in test_permissions_cache.py.
    """
    from config import caching

    monkeypatch.setattr(caching, "ACCESS_IN_PROCESS_SECONDS", caching.ACCESS_SECONDS)


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
    from knowledge.semantic.related import forget_kept
    from knowledge.semantic.vector_index import VectorIndex

    VectorIndex.forget_all()
    forget_kept()
    yield
    VectorIndex.forget_all()
    forget_kept()


@pytest.fixture(autouse=True)
def _empty_cache():
    """The locmem cache outlives a test: clear it so cached lists and rate limits start fresh."""
    from django.core.cache import cache

    from knowledge import writebuffer

    cache.clear()
    for buffer in writebuffer.buffers():  # rows another test left in this process's buffers
        buffer.discard()
    yield
    for buffer in writebuffer.buffers():  # not written at exit into a database that is gone
        buffer.discard()
