"""What a reader sees on the search page: facets that open what they count, and results that say who and what once."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from knowledge.models import TipPage
from knowledge.semantic import evaluation
from knowledge.sitesearch.searching import SearchFilters, search_site

from .factories import make_micropost, make_rep, make_tip, make_video

pytestmark = pytest.mark.django_db


def test_each_type_facet_opens_the_results_it_counts(rep):
    """A type's count is what its link opens, results found by meaning included, in the same order."""
    for _query, title, summary in evaluation.PAIRS[:8]:
        make_tip(title, author=rep, summary=summary, body="")
        make_micropost(f"{summary} #tip", author=rep)
    make_tip("Getting past procurement", author=rep, summary="Send the security questionnaire first.")
    meaning_kinds = set()
    for query in [query for query, _title, _summary in evaluation.PAIRS[:8]] + ["procurement"]:
        everything = search_site(query, per_page=20)
        meaning_kinds.update(hit.kind for hit in everything.hits if hit.by_meaning)
        for facet in everything.facets["type"]:
            opened = search_site(query, filters=SearchFilters(kinds=[facet.value]), per_page=20)
            assert opened.total == facet.count, (query, facet)
            assert [hit.key for hit in opened.hits] == [hit.key for hit in everything.hits if hit.kind == facet.value]
    assert meaning_kinds == {"tip", "micropost"}  # the case the counts used to miss: found by meaning, both kinds


def test_facets_that_would_open_nothing_are_not_listed(rep_client, rep):
    tip = make_tip("Renewal playbook", author=rep, summary="Start the renewal talk early.")
    TipPage.objects.filter(pk=tip.pk).update(first_published_at=timezone.now() - datetime.timedelta(days=800))
    response = rep_client.get("/search/", {"q": "renewal"})
    facets = response.context["outcome"].facets
    assert facets["date"] == []
    assert all(facet.count for values in facets.values() for facet in values)
    assertNotContains(response, "Past week")
    assertNotContains(response, 'id="facet-date"', html=False)


def test_a_micropost_shows_its_text_once_with_the_words_marked(rep_client, rep):
    post = make_micropost("CFO asked for the payback period again #objection", author=rep)
    response = rep_client.get("/search/", {"q": "payback"})
    assertContains(response, "CFO asked for the", count=1)
    assertContains(response, "<mark>payback</mark>", count=1, html=False)
    assertContains(response, f'href="{post.get_absolute_url()}"', html=False)


def test_a_video_hit_names_its_presenter_as_its_card_does(rep_client, other_rep):
    """An outside expert presents: the hit names them and their title, not the colleague who uploaded it."""
    from coaching.models import CoachingVideoPage

    video = make_video("Negotiating with procurement", author=other_rep, summary="Hold the price.")
    CoachingVideoPage.objects.filter(pk=video.pk).update(
        presenter=None, presenter_name="Dana Reyes", presenter_title="VP Sales, Initech"
    )
    response = rep_client.get("/search/", {"q": "negotiating", "type": "video"})
    assertContains(response, "Dana Reyes, VP Sales, Initech")
    assertNotContains(response, reverse("profile", args=[other_rep.username]))
    presented_by_peer = make_video("Negotiating the renewal", author=other_rep, summary="Anchor high.")
    response = rep_client.get("/search/", {"q": "anchor", "type": "video"})
    [hit] = response.context["outcome"].hits
    assert (hit.obj, hit.author) == (presented_by_peer, other_rep)


def test_two_reps_with_the_same_name_can_be_told_apart(rep_client):
    first = make_rep("akim", first_name="Alex", last_name="Kim")
    second = make_rep("alexkim", first_name="Alex", last_name="Kim")
    only = make_rep("blee", first_name="Bo", last_name="Lee")
    for author in (first, second, only):
        make_tip(f"Renewal notes by {author.username}", author=author, summary="Renewal in ninety days.")
    response = rep_client.get("/search/", {"q": "renewal"})
    outcome = response.context["outcome"]
    assert sorted(hit.author_label for hit in outcome.hits) == ["Alex Kim (@akim)", "Alex Kim (@alexkim)", "Bo Lee"]
    assert sorted(facet.label for facet in outcome.facets["author"]) == [
        "Alex Kim (@akim)",
        "Alex Kim (@alexkim)",
        "Bo Lee",
    ]
    assertContains(response, "Alex Kim (@akim)", count=2)  # on the result and its facet
    assertContains(response, "Alex Kim (@alexkim)", count=2)
