"""Wagtail's page view restrictions still apply while their absence is cached."""

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
