"""Hybrid search: keyword results keep their places and what is found by meaning is added after them.

The real model runs here (no mocks): tips come from the paraphrase set in
knowledge/semantic/evaluation.py, whose queries share no content word with their tip.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains

from knowledge.semantic import evaluation
from knowledge.semantic.duplicates import already_shared
from knowledge.sitesearch.searching import SearchFilters, search_site

from .factories import make_account, make_micropost, make_tip, make_video
from .meaning_support import VTT, paraphrase_tips

pytestmark = pytest.mark.django_db


# Hybrid search ----------------------------------------------------------------------------

# Measured with all 56 tips: keyword search alone finds 0 of the 20 targets; the hybrid search finds 12
# (7 of them first), each marked as found by meaning.
FOUND_BY_MEANING_AT_LEAST = 12


def test_queries_in_other_words_find_their_tip_marked_by_meaning(rep, settings):
    """The paraphrase set: keyword search alone finds no target, the hybrid search finds most of them.

    The same tips measure "already shared?": 11 of 12 rewrites of a tip find it at the 0.6 threshold.
    """
    paraphrase_tips(rep)
    rewrites_found = [
        text for text, title in evaluation.NEAR_DUPLICATES if title in [item.title for item in already_shared(text)]
    ]
    assert len(rewrites_found) >= 11, rewrites_found
    found = []
    for query, title, summary in evaluation.PAIRS:
        assert not evaluation.content_words_shared(query, title, summary)
        hits = {hit.title: hit for hit in search_site(query, per_page=20).hits}
        if title in hits:
            assert hits[title].by_meaning, query
            found.append(query)
    assert len(found) >= FOUND_BY_MEANING_AT_LEAST, found

    settings.SEMANTIC_SEARCH = False
    keyword_found = [
        query
        for query, title, _ in evaluation.PAIRS
        if title in {hit.title for hit in search_site(query, per_page=20).hits}
    ]
    assert keyword_found == []


FOUND_IN_OTHER_WORDS = [
    ("pricing pushback", "Handling the 'too expensive' objection"),
    ("competitor is cheaper", "Winning against a rival with a lower price"),
    ("legal is slowing the contract", "Speed up redlines with the buyer's lawyers"),
    ("voicemail script", "What to say when the phone goes to the answering machine"),
    ("nervous before first call", "Calm the jitters ahead of an initial conversation with a new lead"),
    ("upset customer escalation", "Calming an angry client who demands a manager"),
    ("no budget this quarter", "When the buyer says funds are frozen until next year"),
    ("demo went badly", "Recovering after a product walkthrough that flopped"),
    ("upsell at renewal", "Growing revenue from existing clients at contract anniversary"),
    ("too many discounts", "Protect margin instead of giving away price cuts"),
]


def test_the_search_page_marks_tips_found_in_other_words(rep_client, rep):
    """Ten queries that share no content word with their tip find it, marked "Related by meaning"."""
    paraphrase_tips(rep, distractors=10)
    for query, title in FOUND_IN_OTHER_WORDS:
        response = rep_client.get("/search/", {"q": query})
        hits = {hit.title: hit for hit in response.context["outcome"].hits}
        assert title in hits and hits[title].by_meaning, (query, list(hits))
        assertContains(response, "Related by meaning")
        assertContains(response, f"result{'' if len(hits) == 1 else 's'} for")


@pytest.fixture
def library(rep, other_rep):
    """The keyword cases of the search issue, with the paraphrase set's targets around them."""
    paraphrase_tips(other_rep, distractors=0)
    return make_keyword_library({"rep": rep, "other_rep": other_rep})


def make_keyword_library(authors: dict) -> dict:
    """evaluation.KEYWORD_TIPS and KEYWORD_MICROPOSTS in their accounts; the accounts by name."""
    accounts = {name: make_account(name, industry=industry) for name, industry in evaluation.KEYWORD_ACCOUNTS}
    for author, title, account, summary, body, tags in evaluation.KEYWORD_TIPS:
        make_tip(title, author=authors[author], account=accounts[account], summary=summary, body=body, tags=tags)
    for author, text, account in evaluation.KEYWORD_MICROPOSTS:
        make_micropost(text, author=authors[author], account=accounts[account])
    return accounts


def test_keyword_results_rank_exactly_as_without_meaning(library, settings):
    """Plain words and typos: every keyword hit keeps its place; meaning may only add after them."""
    with_meaning = {query: search_site(query, per_page=50).hits for query in evaluation.KEYWORD_CASES}
    settings.SEMANTIC_SEARCH = False
    for query in evaluation.KEYWORD_CASES:
        keyword_only = search_site(query, per_page=50).hits
        assert keyword_only, query
        fused = with_meaning[query]
        assert [hit.key for hit in fused[: len(keyword_only)]] == [hit.key for hit in keyword_only], query
        assert all(hit.by_meaning for hit in fused[len(keyword_only) :]), query


def test_meaning_adds_after_the_last_keyword_result_on_the_page_that_shows_it(rep):
    """Confident keyword results fill page 1, so nothing is added there or counted; the last page adds it."""
    for number in range(55):
        make_micropost(f"Parking near the competitor office is cheaper after six (#{number})", author=rep)
    make_tip("Winning against a rival with a lower price", author=rep, summary="", body="")
    first = search_site("competitor is cheaper")
    assert first.total == 55
    assert not any(hit.by_meaning for hit in first.hits)
    last = search_site("competitor is cheaper", page=6)
    assert last.total == 56
    *keyword_hits, added = last.hits
    assert (added.title, added.by_meaning) == ("Winning against a rival with a lower price", True)
    assert len(keyword_hits) == 5 and not any(hit.by_meaning for hit in keyword_hits)


def test_the_same_search_again_finds_what_was_shared_in_between(rep):
    """A repeated query reuses its nearest items only until a vector changes."""
    make_tip(
        "Winning against a rival with a lower price",
        author=rep,
        summary="Shift the conversation to total cost of ownership, implementation risk and support.",
    )
    assert [hit.kind for hit in search_site("competitor is cheaper").hits] == ["tip"]
    make_micropost("Lost on price to a rival again: next time I will talk about total cost of ownership", author=rep)
    again = search_site("competitor is cheaper").hits
    assert sorted((hit.kind, hit.by_meaning) for hit in again) == [("micropost", True), ("tip", True)]


def test_retired_and_unpublished_tips_are_never_found_by_meaning(rep):
    tips = paraphrase_tips(rep, distractors=10)
    query, title = "competitor is cheaper", "Winning against a rival with a lower price"
    assert title in titles(search_site(query))
    tips[title].retire()
    assert title not in titles(search_site(query))
    make_tip("Beating a rival with a lower price", author=rep, live=False)
    assert "Beating a rival with a lower price" not in titles(search_site(query))


def titles(outcome) -> list[str]:
    return [hit.title for hit in outcome.hits]


def test_filters_and_facets_apply_to_results_found_by_meaning(rep, other_rep):
    acme, globex = make_account("Acme Health"), make_account("Globex Bank")
    make_tip(
        "Winning against a rival with a lower price",
        author=rep,
        account=acme,
        summary="Shift the conversation to total cost of ownership, implementation risk and support.",
    )
    make_micropost(
        "Lost on price to a rival again: next time I will talk about total cost of ownership",
        author=other_rep,
        account=globex,
    )
    everything = search_site("competitor is cheaper")
    assert {hit.kind for hit in everything.hits if hit.by_meaning} == {"tip", "micropost"}
    assert {facet.value: facet.count for facet in everything.facets["type"]} == {"tip": 1, "micropost": 1}
    assert {facet.label for facet in everything.facets["account"]} == {"Acme Health", "Globex Bank"}
    assert everything.total == 2

    only_posts = search_site("competitor is cheaper", filters=SearchFilters(kinds=["micropost"]))
    assert [hit.kind for hit in only_posts.hits] == ["micropost"]
    acme_only = search_site("competitor is cheaper", filters=SearchFilters(account=acme.pk))
    assert titles(acme_only) == ["Winning against a rival with a lower price"]
    by_peer = search_site("competitor is cheaper", filters=SearchFilters(author="peer"))
    assert [hit.kind for hit in by_peer.hits] == ["micropost"]
    tagged = search_site("competitor is cheaper", filters=SearchFilters(tag="nothing-has-this"))
    assert tagged.hits == []


def test_a_video_found_by_what_is_said_links_to_that_moment(rep):
    make_video("Negotiation in the last week", author=rep, transcript=VTT, summary="Closing well.")
    hits = search_site("hold the price until the sponsor has the ROI document").hits
    videos = [hit for hit in hits if hit.kind == "video"]
    assert videos and videos[0].by_meaning
    assert videos[0].url.endswith("#t=5")


def test_search_queries_do_not_grow_with_results_found_by_meaning(rep_client, rep):
    """The same number of SQL queries for one tip found by meaning as for four."""
    acme = make_account("Acme Health")

    def add_tips(numbers):
        for number in numbers:
            make_tip(
                f"Winning against a rival with a lower price ({number})",
                author=rep,
                account=acme,
                summary="Shift the conversation to total cost of ownership.",
                tags=["pricing"],
            )

    def queries_for_search() -> int:
        rep_client.get("/search/", {"q": "competitor is cheaper"})  # loads new vectors, warms caches
        with CaptureQueriesContext(connection) as queries:
            response = rep_client.get("/search/", {"q": "competitor is cheaper"})
        return len(queries), sum(hit.by_meaning for hit in response.context["outcome"].hits)

    add_tips([1])
    few, found = queries_for_search()
    assert found == 1
    add_tips([2, 3, 4])
    many, found = queries_for_search()
    assert (many, found) == (few, 4)


def test_a_query_no_keyword_matches_shows_what_is_near_by_meaning_instead_of_nothing(rep_client, rep, settings):
    """The issue's "vanity metrics": no tip has either word, the one about follower counts is shown, marked."""
    title = "Measure influence by perception, not follower counts"
    make_tip(title, author=rep, summary="", body="")
    make_tip("Log every meeting in the CRM the same day", author=rep, summary="", body="")
    response = rep_client.get("/search/", {"q": "vanity metrics"})
    assert [(hit.title, hit.by_meaning) for hit in response.context["outcome"].hits] == [(title, True)]
    assertContains(response, "Related by meaning")
    assertContains(response, "1 result for")
    assertNotContains(response, "Nothing found")

    settings.SEMANTIC_SEARCH = False
    assertContains(rep_client.get("/search/", {"q": "vanity metrics"}), "Nothing found")


@pytest.mark.xfail(
    strict=True,
    reason="all-MiniLM-L6-v2 scores 'testimonials' 0.17 against this tip, under the 0.26 floor that keeps "
    "nonsense out ('football results' scores 0.25); no model shipped on PyPI did better (README)",
)
def test_testimonials_finds_the_tip_about_advocates(rep_client, rep):
    make_tip("Turn happy customers into advocates", author=rep, summary="", body="")
    response = rep_client.get("/search/", {"q": "testimonials"})
    assertContains(response, "Turn happy customers into advocates")
    assertContains(response, "Related by meaning")


def test_nonsense_finds_nothing_by_meaning(rep):
    """Twelve queries about nothing in the library, "football results" closest (0.253 to a tip about won deals)."""
    paraphrase_tips(rep)
    found = {query: titles(search_site(query)) for query in evaluation.NONSENSE}
    assert found == {query: [] for query in evaluation.NONSENSE}
