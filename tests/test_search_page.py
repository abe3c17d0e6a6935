"""The search page: one box over tips, microposts and videos, forgiving, faceted and logged."""

import datetime

import pytest
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from knowledge import writebuffer
from knowledge.sitesearch.models import SearchLog

from .factories import make_account, make_micropost, make_tip

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(rep, other_rep):
    acme = make_account("Acme Health", industry="Healthcare")
    globex = make_account("Globex Bank", industry="Financial services")
    tips = {
        "procurement": make_tip(
            "Getting past procurement",
            author=other_rep,
            account=acme,
            summary="Bring the security questionnaire answered before they ask.",
            body="Procurement teams stall on vendor forms; send them first.",
            tags=["procurement"],
        ),
        "pricing": make_tip(
            "Handling the 'too expensive' objection",
            author=rep,
            account=globex,
            summary="Reframe price as the cost of doing nothing.",
            body="When the buyer raises a pricing objection, compare it with the cost of delay.",
            tags=["objection", "pricing"],
        ),
        "objection": make_tip(
            "Objection handling for the CFO",
            author=other_rep,
            account=globex,
            summary="Three answers for the finance objection.",
            body="Handling objections from finance: lead with payback period.",
            tags=["objection"],
        ),
    }
    posts = [make_micropost("CFO asked for payback period again #objection", author=rep, account=globex)]
    return {"acme": acme, "globex": globex, "tips": tips, "posts": posts}


def test_finds_a_tip_by_its_words_with_a_marked_snippet(rep_client, library):
    response = rep_client.get("/search/", {"q": "procurement"})
    assertContains(response, "Getting past procurement")
    assertContains(response, "<mark>Procurement</mark>", html=False)
    assertContains(response, "1 result for “procurement”")


def test_a_typo_still_finds_the_tip_and_offers_a_correction(rep_client, library):
    response = rep_client.get("/search/", {"q": "procuremnt"})
    assertContains(response, "Getting past procurement")
    assertContains(response, "Did you mean")
    assertContains(response, "procurement</strong>")


def test_two_words_with_a_typo_rank_the_right_tip_first(rep_client, library):
    response = rep_client.get("/search/", {"q": "objection handlign"})
    hits = response.context["outcome"].hits
    assert hits[0].title == "Objection handling for the CFO"


def test_microposts_are_found_too_and_types_filter(rep_client, library):
    response = rep_client.get("/search/", {"q": "payback"})
    kinds = {hit.kind for hit in response.context["outcome"].hits}
    assert kinds == {"tip", "micropost"}
    type_facet = {facet.value: facet.count for facet in response.context["outcome"].facets["type"]}
    assert type_facet == {"tip": 1, "micropost": 1}
    response = rep_client.get("/search/", {"q": "payback", "type": "micropost"})
    assert [hit.kind for hit in response.context["outcome"].hits] == ["micropost"]


def test_filters_combine(rep_client, library):
    globex = library["globex"].pk
    response = rep_client.get("/search/", {"q": "objection", "account": globex})
    titles = {hit.title for hit in response.context["outcome"].hits}
    assert "Handling the 'too expensive' objection" in titles
    response = rep_client.get("/search/", {"q": "objection", "account": globex, "author": "rep", "type": "tip"})
    assert [hit.title for hit in response.context["outcome"].hits] == ["Handling the 'too expensive' objection"]
    response = rep_client.get("/search/", {"q": "objection", "tag": "pricing"})
    assert [hit.title for hit in response.context["outcome"].hits] == ["Handling the 'too expensive' objection"]
    account_facet = {facet.label: facet.count for facet in response.context["outcome"].facets["account"]}
    assert account_facet == {"Globex Bank": 1}


def test_retired_tips_are_hidden_and_stale_tips_marked(rep_client, library):
    library["tips"]["procurement"].retire()
    assertNotContains(rep_client.get("/search/", {"q": "procurement"}), "Getting past procurement")
    tip = library["tips"]["pricing"]
    tip.verify(until=timezone.localdate() - datetime.timedelta(days=1))
    assertContains(rep_client.get("/search/", {"q": "expensive"}), "May be out of date")


def test_nothing_found_gives_suggestions(rep_client, library):
    response = rep_client.get("/search/", {"q": "zebra migration"})
    assertContains(response, "Nothing found")
    assertContains(response, "Share a tip")


def test_query_text_is_escaped_not_executed(rep_client, library):
    response = rep_client.get("/search/", {"q": '<script>alert(1)</script> "procurement" AND title:x'})
    assertNotContains(response, "<script>alert(1)</script>", html=False)
    assert response.status_code == 200


def test_searches_are_logged_for_marketing(rep_client, marketer_client, library):
    rep_client.get("/search/", {"q": "Procurement"})
    rep_client.get("/search/", {"q": "zebra migration"})
    rep_client.get("/search/", {"q": "zebra  migration"})
    writebuffer.flush_all()  # the page itself writes nothing: the log waits in a write buffer
    log = SearchLog.objects.order_by("created_at")
    assert [(entry.normalized_query, entry.result_count) for entry in log] == [
        ("procurement", 1),
        ("zebra migration", 0),
        ("zebra migration", 0),
    ]
    report = marketer_client.get("/admin/reports/search-terms/")
    assertContains(report, "zebra migration")
    assert report.context["unanswered"][0]["searches"] == 2


def test_reps_cannot_read_the_search_log(rep_client, library):
    assert rep_client.get("/admin/reports/search-terms/").status_code in (302, 403)


def test_autocomplete_suggests_titles(rep_client, library):
    response = rep_client.get("/search/suggest/", {"q": "getting pa"})
    assertContains(response, '<option value="Getting past procurement">', html=False)


def test_facet_links_keep_the_other_filters(rep_client, library):
    globex = library["globex"].pk
    response = rep_client.get("/search/", {"q": "objection", "type": "tip", "account": globex, "page": 1})
    # A chosen value is switched off, another added (a type) or put in its place; back to page 1.
    assertContains(response, f'href="?q=objection&amp;account={globex}"', html=False)
    assertContains(response, 'href="?q=objection&amp;type=tip"', html=False)
    assertContains(response, f'href="?q=objection&amp;type=tip&amp;account={globex}&amp;author=rep"', html=False)
    assertContains(response, f'href="?q=objection&amp;type=tip&amp;account={globex}&amp;tag=pricing"', html=False)
    response = rep_client.get("/search/", {"q": "payback", "date": "year", "page": 1})
    assertContains(response, 'href="?q=payback&amp;date=year&amp;type=micropost"', html=False)
    assertContains(response, 'href="?q=payback"', html=False)


def test_results_page(rep_client, rep):
    for number in range(25):
        make_tip(f"Discovery question {number}", author=rep, body="Ask about discovery outcomes.")
    first = rep_client.get("/search/", {"q": "discovery"})
    assert len(first.context["outcome"].hits) == 10
    assertContains(first, "Page 1 of 3")
    assertContains(first, 'href="?q=discovery&amp;page=2" rel="next"', html=False)
    third = rep_client.get("/search/", {"q": "discovery", "page": 3, "type": "tip"})
    assert len(third.context["outcome"].hits) == 5
    assertContains(third, 'href="?q=discovery&amp;page=2&amp;type=tip" rel="prev"', html=False)


# Session, user, the search log; per kind with hits: its rows and their tags, and one query counting
# accounts and authors when more match than the page loads (fewer are counted from the loaded hits).
@pytest.mark.parametrize(("count", "queries"), [(2, 7), (12, 9), (30, 9)])
def test_search_page_queries_do_not_grow_with_results(rep_client, rep, count, queries, django_assert_max_num_queries):
    """As many SQL queries for 12 matching tips and microposts as for 30; fewer for 2."""
    acme = make_account("Acme Health")
    for number in range(count):
        make_tip(f"Renewal playbook {number}", author=rep, account=acme, tags=["renewal"])
        make_micropost(f"Renewal win {number} #renewal", author=rep, account=acme)
    rep_client.get("/search/", {"q": "renewal"})  # warm caches (site root paths, content types)
    with django_assert_max_num_queries(queries):
        response = rep_client.get("/search/", {"q": "renewal"})
    outcome = response.context["outcome"]
    assert outcome.total == 2 * count
    assert {facet.label: facet.count for facet in outcome.facets["account"]} == {"Acme Health": 2 * count}
    assert {facet.label: facet.count for facet in outcome.facets["tag"]} == {"renewal": min(count, 10) * 2}
    assert all([tag.slug for tag in hit.tags] == ["renewal"] for hit in outcome.hits)


@pytest.mark.parametrize("count", [3, 15])
def test_account_and_author_facets_count_every_match(rep_client, rep, other_rep, count):
    """Counted over every match, not only the page's; equal counts listed by name."""
    zeta, acme = make_account("Zeta Bank"), make_account("Acme Health")
    for number in range(count):
        author, account = (other_rep, zeta) if number % 2 else (rep, acme)
        make_tip(f"Renewal playbook {number}", author=author, account=account)
    make_tip("Renewal playbook by nobody", author=other_rep, account=zeta)
    for page in (1, 2):
        outcome = rep_client.get("/search/", {"q": "renewal", "page": page}).context["outcome"]
        assert outcome.total == count + 1
        accounts = [(facet.label, facet.count) for facet in outcome.facets["account"]]
        authors = [(facet.value, facet.count) for facet in outcome.facets["author"]]
        half = (count + 1) // 2
        assert accounts == [("Acme Health", half), ("Zeta Bank", half)]  # a tie: by name
        assert sorted(authors) == [(other_rep.username, half), (rep.username, half)]
    outcome = rep_client.get("/search/", {"q": "renewal", "account": acme.pk}).context["outcome"]
    assert [(facet.label, facet.count, facet.selected) for facet in outcome.facets["account"]] == [
        ("Acme Health", (count + 1) // 2, True)
    ]


VTT = """WEBVTT

00:00:05.000 --> 00:00:09.000
Open with the customer's last quarter results.

00:01:23.000 --> 00:01:27.500
Never discount before the champion has seen the business case.
"""


def test_a_phrase_said_in_a_video_links_to_that_second(rep_client, rep):
    from .factories import make_video

    make_video("Negotiation in the last week", transcript=VTT, summary="Closing without discounts.")
    response = rep_client.get("/search/", {"q": "champion business case"})
    moments = [hit for hit in response.context["outcome"].hits if hit.kind == "moment"]
    assert moments, response.context["outcome"].hits
    assert moments[0].url.endswith("#t=83")
    assertContains(response, "at 1:23")
    videos = rep_client.get("/search/", {"q": "negotiation", "type": "video"}).context["outcome"].hits
    assert [hit.title for hit in videos] == ["Negotiation in the last week"]


def test_did_you_mean_corrects_a_word_only_the_summary_has(rep_client, rep):
    """The summary's words as typed are words people wrote: 'procuremnt' gets 'procurement'.

    'procurment' stems like 'procurement' and already finds the same tip: nothing more to offer.
    """
    make_tip("Vendor forms first", author=rep, summary="How we sped up procurement at Acme.")
    response = rep_client.get("/search/", {"q": "procuremnt"})
    assertContains(response, "Vendor forms first")
    assert response.context["outcome"].suggestion == "procurement"
    response = rep_client.get("/search/", {"q": "procurment"})
    assertContains(response, "Vendor forms first")
    assert response.context["outcome"].suggestion is None


# Session, user; per kind with hits, its rows and their tags. Corrections, "did you mean" and the
# facet counts are worked out in the index, and the facets' one account and author are on the page.
@pytest.mark.parametrize("count", [3, 25])
def test_a_corrected_typo_costs_the_same_queries_at_any_size(rep_client, rep, count, django_assert_num_queries):
    """Six SQL queries for 3 matching tips and microposts and for 25, with the typo corrected."""
    acme = make_account("Acme Health")
    for number in range(count):
        make_tip(f"Renewal playbook {number}", author=rep, account=acme, tags=["renewal"])
        make_micropost(f"Renewal win {number} #renewal", author=rep, account=acme)
    rep_client.get("/search/", {"q": "renewl"})  # warm caches (site root paths, content types)
    with django_assert_num_queries(6):
        response = rep_client.get("/search/", {"q": "renewl"})
    assert response.context["outcome"].total == 2 * count
    assertContains(response, "Did you mean")
    assertContains(response, "renewal</strong>")
