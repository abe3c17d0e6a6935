"""The tips index and a tip's page: filters and sorting, stale and retired tips, their query counts."""

import datetime

import pytest
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from knowledge.models import TipPage

from .factories import make_account, make_rep, make_tip
from .tips_support import _fresh_rate_limit  # noqa: F401 (autouse: rate limits start fresh)

# Upper bounds; the tests assert the same count at two data sizes. The tips index needs 4 on a
# second view (session, user, routing to the index). The site, home page, each user's
# permissions and the reader's helpful marks come from the cache once read. A tip page with
# comments needs 9: session, user, the tip with author and account in one query, the view it
# records, the tags, related tips, the thread and its likes (the leaderboard's "Deals this
# helped close" comes from the cache once read).
TIPS_INDEX_QUERIES = 4
TIP_PAGE_QUERIES = 9


@pytest.mark.django_db
def test_tips_index_filters_and_sorts(rep_client):
    author = make_rep("author", first_name="Ana")
    other = make_rep("other")
    acme = make_account("Acme Corp", industry="Retail")
    make_tip(
        "Acme pricing tip",
        author=author,
        account=acme,
        industry="Retail",
        stage="proposal",
        tags=["pricing"],
    )
    helpful = make_tip("Helpful legal tip", author=other, stage="closing", tags=["legal"], helpful_count=9)
    make_tip("Viewed tip", author=other, view_count=50)
    cases = {
        "?tag=pricing": ["Acme pricing tip"],
        f"?account={acme.pk}": ["Acme pricing tip"],
        "?account=acme+corp": ["Acme pricing tip"],
        "?industry=Retail": ["Acme pricing tip"],
        "?stage=closing": ["Helpful legal tip"],
        "?author=other&sort=viewed": ["Viewed tip", "Helpful legal tip"],
        "?sort=helpful": ["Helpful legal tip", "Viewed tip", "Acme pricing tip"],
    }
    for query, expected in cases.items():
        response = rep_client.get("/tips/" + query)
        assert [tip.title for tip in response.context["tips"]] == expected, query
    assert helpful.helpful_count == 9


@pytest.mark.django_db
def test_stale_tip_shows_may_be_out_of_date(rep_client):
    tip = make_tip(author=make_rep("author"))
    TipPage.objects.filter(pk=tip.pk).update(verified_until=timezone.localdate() - datetime.timedelta(days=1))
    response = rep_client.get(tip.url)
    assertContains(response, "This tip may be out of date.")
    assertContains(rep_client.get("/"), "May be out of date")


@pytest.mark.django_db
def test_retired_tip_answers_with_a_notice_and_its_replacement(rep_client):
    author = make_rep("author")
    replacement = make_tip("The better way", author=author)
    retired = make_tip("The old way", author=author, retired=True, replaced_by=replacement)
    response = rep_client.get(retired.url)
    assert response.status_code == 200
    assertContains(response, "This tip is retired.")
    assertContains(response, f'href="{replacement.url}"')
    assertNotContains(rep_client.get("/tips/"), "The old way")


@pytest.mark.django_db
def test_retired_tips_are_filtered_out_of_search():
    author = make_rep("author")
    make_tip("Objection handling for renewals", author=author)
    make_tip("Objection handling retired", author=author, retired=True)
    results = TipPage.objects.live().filter(retired=False).search("objection")
    assert [tip.title for tip in results] == ["Objection handling for renewals"]


def _queries_for(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, [query["sql"] for query in queries.captured_queries]


@pytest.mark.django_db
def test_tips_index_queries_do_not_grow(rep_client):
    author = make_rep("author")

    def add(start, count):
        for number in range(start, start + count):
            make_tip(
                f"Tip {number}",
                author=author,
                account=make_account(f"Account {number}"),
                tags=["a", "b"],
            )

    add(0, 2)
    small, small_queries = _queries_for(rep_client, "/tips/?sort=helpful")
    add(2, 10)
    large, large_queries = _queries_for(rep_client, "/tips/?sort=helpful")
    assertContains(large, "Read tip", count=12)
    assert len(small_queries) == len(large_queries), "\n".join(large_queries)
    assert len(large_queries) <= TIPS_INDEX_QUERIES, "\n".join(large_queries)


@pytest.mark.django_db
def test_tip_page_queries_do_not_grow_with_comments_and_tags(rep_client):
    from django_comments_xtd.models import XtdComment

    tip = make_tip(author=make_rep("author"))

    def add(start, count):
        tip.tags.add(*[f"tag{number}" for number in range(start, start + count)])
        for number in range(start, start + count):
            commenter = make_rep(f"commenter{number}")
            XtdComment.objects.create(
                content_object=tip,
                site_id=1,
                user=commenter,
                comment=f"Comment {number}",
                user_name=commenter.username,
            )

    add(0, 1)
    small, small_queries = _queries_for(rep_client, tip.url)
    add(1, 7)
    large, large_queries = _queries_for(rep_client, tip.url)
    assertContains(large, "Comment ", count=8)
    assert len(small_queries) == len(large_queries), "\n".join(large_queries)
    assert len(large_queries) <= TIP_PAGE_QUERIES, "\n".join(large_queries)


PROCESSOR_CALLS = []


def counting_processor(request):
    """A context processor that notes each time it runs (see the test below)."""
    PROCESSOR_CALLS.append(request.path)
    return {}


@pytest.mark.django_db
def test_a_tip_page_runs_the_context_processors_once(rep_client, rep, settings):
    """The sections other apps add to a tip page (follow, influence) render in the page's own
    context: each used to build a fresh one, running the bell and navigation again."""
    engine = settings.TEMPLATES[0]
    processors = [*engine["OPTIONS"]["context_processors"], f"{__name__}.counting_processor"]
    settings.TEMPLATES = [{**engine, "OPTIONS": {**engine["OPTIONS"], "context_processors": processors}}]
    tip = make_tip("Pricing tip", author=make_rep("author"), tags=["pricing"])
    PROCESSOR_CALLS.clear()
    response = rep_client.get(tip.url)
    assertContains(response, "Deals this helped close")  # the leaderboard app's section is there
    assert PROCESSOR_CALLS == [tip.url]
