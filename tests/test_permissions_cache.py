"""Each user's permissions come from the cache, and every change to them shows on the next page."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

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
