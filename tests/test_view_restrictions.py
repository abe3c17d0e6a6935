"""Wagtail's page view restrictions still apply while their absence is cached."""

import time

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from knowledge.roles import MANAGERS

from .factories import make_tip

pytestmark = pytest.mark.django_db


def _view(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    checked = any("wagtailcore_pageviewrestriction" in query["sql"] for query in queries.captured_queries)
    return response, checked


def test_a_restriction_added_after_views_applies_at_once_and_lifts_when_removed(rep_client, other_rep):
    tip = make_tip("Pricing for the Q4 renewals", author=other_rep)
    response, _ = _view(rep_client, tip.url)
    assert response.status_code == 200
    response, checked = _view(rep_client, tip.url)
    assert response.status_code == 200 and not checked  # none exist: no query for them

    restriction = PageViewRestriction.objects.create(page=tip, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(Group.objects.get(name=MANAGERS))
    response, checked = _view(rep_client, tip.url)
    assert checked
    assert response.status_code != 200
    assert b"Pricing for the Q4 renewals" not in response.content

    restriction.delete()
    response, _ = _view(rep_client, tip.url)
    assert response.status_code == 200
    assert b"Pricing for the Q4 renewals" in response.content


def test_joining_and_leaving_the_allowed_group_applies_on_the_next_view(rep_client, rep, other_rep):
    tip = make_tip("Pricing for the Q4 renewals", author=other_rep)
    restriction = PageViewRestriction.objects.create(page=tip, restriction_type=PageViewRestriction.GROUPS)
    managers = Group.objects.get(name=MANAGERS)
    restriction.groups.add(managers)
    assert _view(rep_client, tip.url)[0].status_code != 200

    rep.groups.add(managers)
    response, _ = _view(rep_client, tip.url)
    assert response.status_code == 200
    assert b"Pricing for the Q4 renewals" in response.content

    rep.groups.remove(managers)
    response, _ = _view(rep_client, tip.url)
    assert response.status_code != 200
    assert b"Pricing for the Q4 renewals" not in response.content


def test_a_restriction_made_by_another_process_applies_within_seconds(rep_client, other_rep, monkeypatch):
    """The in-process cache hears no change made elsewhere: 'no restriction' is kept seconds, not an hour."""
    from config import caching

    monkeypatch.setattr(caching, "ACCESS_IN_PROCESS_SECONDS", 1)
    tip = make_tip("Pricing for the Q4 renewals", author=other_rep)
    assert _view(rep_client, tip.url)[0].status_code == 200
    # What another process's change looks like from here: the rows change, no signal fires.
    (restriction,) = PageViewRestriction.objects.bulk_create(
        [PageViewRestriction(page=tip, restriction_type=PageViewRestriction.GROUPS)]
    )
    restriction.groups.through.objects.create(
        pageviewrestriction_id=restriction.pk, group=Group.objects.get(name=MANAGERS)
    )
    time.sleep(1.2)
    response, checked = _view(rep_client, tip.url)
    assert checked
    assert response.status_code != 200
    assert b"Pricing for the Q4 renewals" not in response.content
