"""A new kind of shared content joins everything by declaring the contract and registering.

``tests/battlecards`` is a small app of its own (installed by the test settings only): its
``Battlecard`` declares ``knowledge.contracts.SharedContent`` with an owner field that is not
called ``author``, and registers from its ``AppConfig.ready()``. No other app names it, yet a
battlecard gets a card in the feed, is found by the site search and by meaning, takes helpful
marks and comments, and scores on the leaderboard.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django_comments.forms import CommentSecurityForm
from django_comments_xtd.models import XtdComment
from pytest_django.asserts import assertContains

from knowledge.semantic import encoder
from knowledge.semantic.models import Embedding
from leaderboard.models import ActivityEvent
from tests.battlecards.models import Battlecard, share_battlecard

from .factories import make_account, make_rep

Verb = ActivityEvent.Verb
pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(db):
    return make_rep("seller", first_name="Sam", last_name="Seller")


@pytest.fixture
def card(seller):
    return share_battlecard(
        owner=seller,
        competitor="Globex",
        text="They win on list price; we win once the buyer counts migration hours. Bring the calculator.",
        account=make_account("Initech"),
    )


def toggle_url(obj) -> str:
    return reverse("helpful_toggle", args=[ContentType.objects.get_for_model(obj).pk, obj.pk])


def comment_form(obj, text: str) -> dict:
    security = CommentSecurityForm(obj).generate_security_data()
    return {**security, "comment": text, "reply_to": 0, "honeypot": "", "next": obj.get_absolute_url()}


def test_a_battlecard_has_its_card_in_the_home_feed_and_on_its_accounts_page(rep_client, card):
    response = rep_client.get("/")
    assertContains(response, 'id="battlecard-', count=1)
    assertContains(response, "Against Globex")
    assertContains(response, "Sam Seller")
    account_page = rep_client.get(reverse("account_detail", args=[card.account_id]))
    assertContains(account_page, f'id="battlecard-{card.pk}"')
    assertContains(account_page, toggle_url(card))  # its helpful button
    profile = rep_client.get(reverse("profile", args=["seller"]))
    assertContains(profile, "Against Globex")


def test_the_site_search_finds_a_battlecard_and_says_what_it_is(rep_client, card):
    response = rep_client.get("/search/", {"q": "migration hours"})
    assertContains(response, "Against Globex")
    assertContains(response, "Battlecard")
    by_account = rep_client.get("/search/", {"q": "calculator", "account": str(card.account_id)})
    assertContains(by_account, "Against Globex")
    other_account = make_account("Hooli")
    elsewhere = rep_client.get("/search/", {"q": "calculator", "account": str(other_account.pk)})
    assert "Against Globex" not in elsewhere.content.decode()
    # Its owner field is "owner": the author filter and facet read it through the contract.
    assertContains(rep_client.get("/search/", {"q": "calculator", "author": "seller"}), "Against Globex")
    assert "Against Globex" not in rep_client.get("/search/", {"q": "calculator", "author": "rep"}).content.decode()
    [author_facet] = response.context["outcome"].facets["author"]
    assert (author_facet.value, author_facet.label, author_facet.count) == ("seller", "Sam Seller", 1)


@pytest.mark.skipif(not encoder.is_enabled(), reason="search by meaning is off in these settings")
def test_search_by_meaning_finds_a_battlecard_in_other_words(card):
    from knowledge.sitesearch.searching import search_site

    [vector] = Embedding.objects.for_object(card)
    assert vector.chunk == 0
    hits = {hit.title: hit for hit in search_site("rival is cheaper upfront", per_page=20).hits}
    assert "Against Globex" in hits and hits["Against Globex"].by_meaning


def test_a_colleague_marks_it_helpful_and_its_owner_scores_for_it(rep_client, rep, seller, card):
    response = rep_client.post(toggle_url(card))
    assert response.status_code in {200, 302}
    card.refresh_from_db()
    assert card.helpful_count == 1
    event = ActivityEvent.objects.get(verb=Verb.HELPFUL_RECEIVED)
    assert (event.actor, event.rep, event.owner, event.account_id) == (rep, seller, seller, card.account_id)
    assert event.skipped == ""


def test_its_owner_cannot_mark_their_own_battlecard(seller, card):
    from knowledge.reactions import ReactionRefused, mark_helpful

    with pytest.raises(ReactionRefused, match="your own"):
        mark_helpful(seller, card)


def test_a_comment_on_a_battlecard_is_kept_counted_on_its_card_and_scored(rep_client, rep, seller, card):
    response = rep_client.post("/comments/post/", comment_form(card, "Globex dropped price again last week"))
    assert response.status_code == 302
    comment = XtdComment.objects.get()
    assert (comment.content_object, comment.user) == (card, rep)
    assertContains(rep_client.get("/"), "1 comment")
    event = ActivityEvent.objects.get(verb=Verb.COMMENTED)
    assert (event.actor, event.owner, event.account_id) == (rep, seller, card.account_id)


def test_sharing_a_battlecard_scores_with_the_verb_its_kind_declares(seller, card):
    event = ActivityEvent.objects.get(rep=seller)
    assert event.verb == Battlecard.content_kind.verb == Verb.SHARED_TIP
    assert event.account_id == card.account_id


def test_a_kind_naming_a_verb_the_leaderboard_does_not_score_is_refused_at_start_up(monkeypatch):
    from knowledge.contracts import ContentKind
    from leaderboard.checks import content_verbs_are_known

    assert content_verbs_are_known() == []
    monkeypatch.setattr(Battlecard, "content_kind", ContentKind("battlecard", "Battlecard", "Battlecards", "won_a_war"))
    [error] = content_verbs_are_known()
    assert error.id == "leaderboard.E001" and "battlecards.Battlecard" in error.msg and "shared_tip" in error.hint
