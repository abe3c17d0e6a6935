""" "Did you mean" on the search page: only for a word nobody wrote, only into a word somebody
wrote, and only when the rewrite finds more (the real Whoosh index, in a temp folder)."""

import re

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from .factories import make_tip

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiet_buyers(rep):
    """Tips that know "prospect", "dark", "want", "silence", "customer", "after" and "demo", but not "went"."""
    return [
        make_tip(
            "Re-engage a buyer who stopped answering",
            author=rep,
            body="When a prospect stops replying, a short break-up e-mail usually ends the silence.",
        ),
        make_tip(
            "Customers want proof",
            author=rep,
            body="Buyers want a customer story after the demo, not another feature list.",
        ),
        make_tip("Going dark in procurement", author=rep, body="If the prospect is dark for a week, call the CFO."),
    ]


def suggestion_for(client, query: str, **filters) -> str | None:
    response = client.get("/search/", {"q": query, **filters})
    assert response.status_code == 200
    return response.context["outcome"].suggestion


def keyword_titles(response) -> set[str]:
    """The results found by the words (meaning may add related ones after them)."""
    return {hit.title for hit in response.context["outcome"].hits if not hit.by_meaning}


def written_words(tips) -> set[str]:
    text = " ".join(
        f"{tip.title} {tip.summary} {tip.body.stream_block.get_searchable_content(tip.body)}" for tip in tips
    )
    return {word.lower() for word in re.findall(r"\w+", text)}


@pytest.mark.parametrize("query", ["prospect went dark", "customer went silent after the demo"])
def test_a_word_spelled_right_is_not_rewritten(rep_client, quiet_buyers, query):
    """ "went" is unknown here and one letter from "want", but the rewrite finds no more."""
    response = rep_client.get("/search/", {"q": query})
    assertNotContains(response, "Did you mean")
    assertNotContains(response, 'class="did-you-mean"')
    assert response.context["outcome"].suggestion is None


def test_a_typo_is_corrected_into_the_word_people_wrote(rep_client, rep):
    make_tip("The prospect went dark after pricing", author=rep, body="Send the break-up e-mail on day ten.")
    make_tip("Pricing pages", author=rep, body="Show the price early.")
    response = rep_client.get("/search/", {"q": "prospct went dark"})
    assertContains(response, 'Did you mean <a href="?q=prospect%20went%20dark"><strong>prospect went dark</strong>')
    response = rep_client.get("/search/", {"q": "prospect went dark"})  # what the link opens
    assert keyword_titles(response) == {"The prospect went dark after pricing"}
    assert response.context["outcome"].suggestion is None


@pytest.mark.parametrize(
    "query",
    ["silent", "silense", "customer went silent after the demo", "prospct", "custmer", "procuremnt", "demos aftr"],
)
def test_a_suggestion_is_made_of_words_people_wrote_never_stems(rep_client, quiet_buyers, query):
    suggestion = suggestion_for(rep_client, query)
    if suggestion is not None:
        assert set(suggestion.split()) <= written_words(quiet_buyers) | set(query.split())
    assert "silenc" not in (suggestion or "").split()


def test_known_typos_get_their_written_word(rep_client, quiet_buyers):
    assert suggestion_for(rep_client, "silense") == "silence"
    assert suggestion_for(rep_client, "prospct") == "prospect"
    assert suggestion_for(rep_client, "procuremnt") == "procurement"


def test_a_correction_that_finds_fewer_results_is_not_offered(rep_client, rep):
    """ "cals" is widened to "calls", "cars" and "cats" (3 results); "calls", the most written, finds 2."""
    make_tip("Discovery calls", author=rep, body="Book calls in the morning.")
    make_tip("Follow-up calls", author=rep, body="Short calls beat long e-mails.")
    make_tip("Fleet deals", author=rep, body="Ask how many cars they run.")
    make_tip("Pet insurance", author=rep, body="Owners of cats ask about claims.")
    response = rep_client.get("/search/", {"q": "cals"})
    assert keyword_titles(response) == {"Discovery calls", "Follow-up calls", "Fleet deals", "Pet insurance"}
    assertNotContains(response, "Did you mean")
    assert keyword_titles(rep_client.get("/search/", {"q": "calls"})) == {"Discovery calls", "Follow-up calls"}


def test_a_typo_of_an_inflection_finding_the_same_results_is_not_offered(rep_client, quiet_buyers):
    """ "procurment" stems like "procurement": it already finds the same tips, so nothing is offered."""
    response = rep_client.get("/search/", {"q": "procurment"})
    assertContains(response, "Going dark in procurement")
    assert response.context["outcome"].suggestion is None


def test_a_correction_counts_only_what_the_filters_leave(rep_client, rep, other_rep, quiet_buyers):
    """Filtered to another author, the corrected query finds nothing more: no suggestion."""
    assert suggestion_for(rep_client, "prospct") == "prospect"
    assert suggestion_for(rep_client, "prospct", author=other_rep.username) is None


def test_an_index_built_before_the_vocabulary_keeps_working_and_suggests_after_a_rebuild(rep_client, rep, monkeypatch):
    """An index on disk without the ``words`` field still takes new tips and finds them; "did you
    mean" waits for ``update_index``, which builds the new generation with the field."""
    from io import StringIO

    from django.core.management import call_command

    from knowledge.search import storage

    make_schema = storage.make_schema

    def schema_before_words():
        schema = make_schema()
        schema.remove("words")
        return schema

    monkeypatch.setattr(storage, "make_schema", schema_before_words)
    make_tip("Going dark in procurement", author=rep, body="If the prospect is dark for a week, call the CFO.")
    monkeypatch.undo()
    make_tip("Re-engage a buyer", author=rep, body="A prospect who stops replying gets a break-up e-mail.")
    response = rep_client.get("/search/", {"q": "prospct"})
    assert keyword_titles(response) == {"Going dark in procurement", "Re-engage a buyer"}
    assert response.context["outcome"].suggestion is None

    call_command("update_index", stdout=StringIO())
    assert suggestion_for(rep_client, "prospct") == "prospect"
