"""The request's Wagtail site and home page come from the cache, and edits to them show at once.

``config.sites.CachedSiteMiddleware`` hands Wagtail the cached site by setting
``request._wagtail_site``, the slot ``Site.find_for_request`` fills and reads. Wagtail has no
public way to do that, so the first tests pin that behaviour: a Wagtail upgrade that stops
reading the slot fails them with a message saying what broke (README, "Knowledge", says why).
"""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from config.sites import CachedSiteMiddleware

pytestmark = pytest.mark.django_db

PRIVATE_SLOT = (
    "Wagtail's Site.find_for_request no longer returns request._wagtail_site when it is set, so "
    "config.sites.CachedSiteMiddleware saves nothing: find Wagtail's new way to be handed a site "
    "(README, 'Knowledge', the paragraph on the site cache)."
)


def test_wagtail_takes_the_site_set_on_the_request_without_a_query():
    request = RequestFactory().get("/", HTTP_HOST="elsewhere.example")
    cached = Site.objects.get(is_default_site=True)
    request._wagtail_site = cached
    with CaptureQueriesContext(connection) as queries:
        found = Site.find_for_request(request)
    assert found is cached, PRIVATE_SLOT
    assert queries.captured_queries == [], PRIVATE_SLOT


def test_wagtail_takes_no_site_set_on_the_request_without_a_query():
    """A host with no site is cached as None; Wagtail must take that answer too."""
    request = RequestFactory().get("/")
    request._wagtail_site = None
    with CaptureQueriesContext(connection) as queries:
        found = Site.find_for_request(request)
    assert found is None, PRIVATE_SLOT
    assert queries.captured_queries == [], PRIVATE_SLOT


def test_the_middleware_sets_the_default_site_with_its_home_page():
    request = RequestFactory().get("/")
    CachedSiteMiddleware(lambda request: None).process_view(request, None, (), {})
    site = Site.find_for_request(request)
    assert site == Site.objects.get(is_default_site=True)
    with CaptureQueriesContext(connection) as queries:
        home = site.root_page
    assert type(home).__name__ == "HomePage"  # the home page's own type, routing's next question
    assert queries.captured_queries == []


def _home(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    sql = [query["sql"] for query in queries.captured_queries]
    return response, [s for s in sql if '"wagtailcore_site"' in s or '"knowledge_homepage"' in s]


def test_the_site_and_home_page_are_read_once(rep_client):
    _, first = _home(rep_client)
    assert first
    _, again = _home(rep_client)
    assert again == [], PRIVATE_SLOT


def test_an_edited_home_page_shows_on_the_next_request(rep_client):
    _home(rep_client)
    home = Site.objects.get(is_default_site=True).root_page.specific
    home.title = "Team Huddle"
    home.save_revision().publish()

    response, _ = _home(rep_client)
    assert response.context["page"].title == "Team Huddle"


def test_an_edited_site_shows_on_the_next_request(rep_client):
    response, _ = _home(rep_client)
    site = Site.objects.get(is_default_site=True)
    site.site_name = "Huddle West"
    site.save()

    response, queries = _home(rep_client)
    assert queries  # read again
    assert Site.find_for_request(response.wsgi_request).site_name == "Huddle West"


def test_tips_route_in_one_query_and_follow_a_renamed_tips_section(rep_client, other_rep):
    from knowledge.models import TipIndexPage

    from .factories import make_tip

    tip = make_tip("Ask for the budget owner", author=other_rep)
    assert rep_client.get(tip.url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert rep_client.get(tip.url).status_code == 200
    assert sum('FROM "wagtailcore_page"' in query["sql"] for query in queries.captured_queries) <= 2  # tip, related

    section = TipIndexPage.objects.get()
    section.slug = "playbook"
    section.save_revision().publish()
    tip.refresh_from_db()
    assert tip.url.startswith("/playbook/")
    response = rep_client.get(tip.url)
    assert response.status_code == 200
    assert b"Ask for the budget owner" in response.content


def test_the_in_process_cache_holds_thousands_of_cards():
    """Django's default of 300 entries held about a dozen pages' cards: a reader moving between
    30 tag pages found each one's cards evicted (15 queries a page instead of 4)."""
    from django.core.cache import cache

    cards = {f"card:{n}": f"<article>{n}</article>" for n in range(5000)}
    cache.set_many(cards)
    assert cache.get("card:0") == "<article>0</article>"
    assert len(cache.get_many(list(cards))) == len(cards)
