"""The home feed and tag pages: one stream, featured, trending, fixed query counts."""

import datetime

import pytest
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from knowledge.models import FeaturedCollection, FeaturedCollectionItem
from knowledge.reactions import mark_helpful

from .factories import make_micropost, make_rep, make_tip

# Upper bounds for a second view (the site, permissions, the page's item keys and cards, featured
# and trending, the reader's helpful marks and the posting guidelines come from the cache), the
# same at both data sizes: session and user on the feed; session, user and tag on a tag page.
# tests/test_stream_cards.py counts the cold feed at two sizes.
HOME_QUERIES = 2
TAG_QUERIES = 3


def _queries_for(client, url):
    """The SQL of a signed-in page view once per-process caches (content types, sites) are warm."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, [query["sql"] for query in queries.captured_queries]


def _fill(count, *, start=0):
    author = make_rep(f"author{start}")
    for number in range(start, start + count):
        make_tip(f"Tip {number}", author=author, tags=["pricing", "demo"])
        make_micropost(f"Post {number} #pricing @rep", author=author)


@pytest.mark.django_db
def test_home_feed_queries_do_not_grow(rep_client):
    """The feed costs the same number of queries for 2 tips and posts as for 9 (no N+1)."""
    _fill(2)
    small, small_queries = _queries_for(rep_client, "/")
    _fill(7, start=2)
    large, large_queries = _queries_for(rep_client, "/")
    assertContains(small, "Read tip", count=2)
    assertContains(large, "Read tip", count=9)
    assert len(small_queries) == len(large_queries), "\n".join(large_queries)
    assert len(large_queries) <= HOME_QUERIES, "\n".join(large_queries)


@pytest.mark.django_db
def test_tag_page_queries_do_not_grow(rep_client):
    _fill(2)
    small, small_queries = _queries_for(rep_client, "/tags/pricing/")
    _fill(7, start=2)
    large, large_queries = _queries_for(rep_client, "/tags/pricing/")
    assertContains(large, "Read tip", count=9)
    assert len(small_queries) == len(large_queries), "\n".join(large_queries)
    assert len(large_queries) <= TAG_QUERIES, "\n".join(large_queries)


@pytest.mark.django_db
def test_stream_is_newest_first_and_loads_more(rep_client, rep):
    author = make_rep("author")
    start = timezone.now() - datetime.timedelta(days=1)
    for number in range(25):
        post = make_micropost(f"Post number {number:02d}", author=author)
        post.created_at = start + datetime.timedelta(minutes=number)
        post.save()
    response = rep_client.get("/")
    content = response.content.decode()
    assert content.index("Post number 24") < content.index("Post number 23")
    assertNotContains(response, "Post number 04")
    assertContains(response, "Load more")
    more = rep_client.get(
        response.context["more_url"] + response.context["stream"].next_cursor,
        headers={"HX-Request": "true"},
    )
    assertContains(more, "Post number 04")
    assertNotContains(more, "Post number 24")
    assertNotContains(more, "<html")


@pytest.mark.django_db
def test_featured_tips_and_pinned_collections_show_in_order(rep_client, rep):
    author = make_rep("author")
    first = make_tip("Onboarding one", author=author)
    second = make_tip("Onboarding two", author=author)
    make_tip("Featured pick", author=author, featured=True)
    later = FeaturedCollection.objects.create(title="Beating competitor X", position=2)
    earlier = FeaturedCollection.objects.create(title="Onboarding essentials", position=1)
    FeaturedCollection.objects.create(title="Hidden one", pinned=False)
    FeaturedCollectionItem.objects.create(collection=earlier, tip=second, sort_order=0)
    FeaturedCollectionItem.objects.create(collection=earlier, tip=first, sort_order=1)
    FeaturedCollectionItem.objects.create(collection=later, tip=first, sort_order=0)
    content = rep_client.get("/").content.decode()
    assert "Featured pick" in content
    assert content.index("Onboarding essentials") < content.index("Beating competitor X")
    section = content[content.index("Onboarding essentials") : content.index("Beating competitor X")]
    assert section.index("Onboarding two") < section.index("Onboarding one")
    assert "Hidden one" not in content


@pytest.mark.django_db
def test_trending_lists_the_most_helpful_of_the_week(rep_client, rep, other_rep):
    author = make_rep("author")
    popular = make_tip("Popular this week", author=author)
    quiet = make_tip("Quiet tip", author=author)
    mark_helpful(rep, popular)
    mark_helpful(other_rep, popular)
    mark_helpful(rep, quiet)
    response = rep_client.get("/")
    trending = response.context["trending"]
    assert [item.title for item in trending] == ["Popular this week", "Quiet tip"]
    assertContains(response, "2 helpful")


@pytest.mark.django_db
def test_retired_and_unpublished_tips_leave_the_feed(rep_client):
    author = make_rep("author")
    make_tip("Retired advice", author=author, retired=True)
    make_tip("Draft advice", author=author, live=False)
    make_tip("Current advice", author=author)
    response = rep_client.get("/")
    assertContains(response, "Current advice")
    assertNotContains(response, "Retired advice")
    assertNotContains(response, "Draft advice")


@pytest.mark.django_db
def test_every_page_names_a_favicon_that_answers(rep_client, client):
    """No 404 for the icon: the page links static/favicon.svg and /favicon.ico leads to it."""
    from django.contrib.staticfiles import finders

    response = rep_client.get("/")
    assertContains(response, '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">')
    assert finders.find("favicon.svg")
    for asker in (rep_client, client):  # a signed-out browser asks on the login page too
        icon = asker.get("/favicon.ico")
        assert icon.status_code == 301 and icon["Location"] == "/static/favicon.svg"
    assert rep_client.get("/accounts/login/").status_code == 200


@pytest.mark.django_db
def test_a_tag_page_changes_with_its_own_tags_items_and_stays_kept_for_others(rep_client, rep):
    """Each tag's stream is kept under a version of its own: a post tagged #renewals leaves the
    #pricing page as it was kept (no query for its items), and the pages it does change show it."""
    from knowledge.microposts import edit_micropost
    from knowledge.models import Micropost, TipPage

    from .factories import make_tip

    author = make_rep("author")
    tip = make_tip("Anchor the price first", author=author, tags=["pricing"])
    make_micropost("Globex renewed early #renewals", author=author)
    _, warm = _queries_for(rep_client, "/tags/pricing/")
    make_micropost("Initech wants a multi-year deal #renewals", author=author)
    _, after_other_tag = _queries_for(rep_client, "/tags/pricing/")
    assert len(after_other_tag) == len(warm)
    assertContains(rep_client.get("/tags/renewals/"), "Initech wants a multi-year deal")

    post = Micropost.objects.get(text__startswith="Globex")
    edit_micropost(post, text="Globex renewed early #pricing")
    assertContains(rep_client.get("/tags/pricing/"), "Globex renewed early")
    assertNotContains(rep_client.get("/tags/renewals/"), "Globex renewed early")
    tip.retire()
    make_micropost("Hooli asked for the price list #pricing", author=author)
    assertNotContains(rep_client.get("/tags/pricing/"), "Anchor the price first")  # its items, read again
    TipPage.objects.filter(pk=tip.pk).curate(retired=False)  # marketing brings it back
    assertContains(rep_client.get("/tags/pricing/"), "Anchor the price first")
