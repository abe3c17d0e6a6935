"""Related tips by meaning on tip and video pages, and what they cost.

The real model runs here (no mocks): tips come from the paraphrase set in
knowledge/semantic/evaluation.py, whose queries share no content word with their tip.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains

from knowledge.semantic import related
from knowledge.semantic.related import related_tips

from .factories import make_tip, make_video
from .meaning_support import paraphrase_tips

pytestmark = pytest.mark.django_db


# Related tips -----------------------------------------------------------------------------


def test_a_tip_page_shows_five_related_tips_without_itself_or_retired_ones(rep_client, rep):
    tips = paraphrase_tips(rep, distractors=10)
    tip = tips["Handling the 'too expensive' objection"]
    related = related_tips(tip)
    assert len(related) == 5 and tip not in related
    tips_by_pk = {t.pk: t for t in tips.values()}
    retired = tips_by_pk[related[0].pk]
    retired.retire()
    make_tip("Handling the too expensive objection with a CFO", author=rep, live=False, summary=tip.summary)
    response = rep_client.get(tip.url)
    shown = [item.title for item in response.context["related"]]
    assert retired.title not in shown and len(shown) == 5
    assert "Handling the too expensive objection with a CFO" not in shown
    assertContains(response, "Related tips")
    assertContains(response, shown[0])
    assertNotContains(response, f">{retired.title}<")


def test_related_tips_cost_the_same_queries_for_few_and_many_tips(rep_client, rep):
    """One query (the tips; vectors are in memory) and a tip page whose count does not grow with tips."""
    tip = make_tip("Handling the 'too expensive' objection", author=rep, summary="Compare the cost.")
    for number in range(3):
        make_tip(f"Pricing objection answer {number}", author=rep)
    rep_client.get(tip.url)
    with CaptureQueriesContext(connection) as few:
        rep_client.get(tip.url)
    for number in range(12):
        make_tip(f"Discount request answer {number}", author=rep)
    related_tips(tip)  # loads the new vectors, as the first request after a change would
    with CaptureQueriesContext(connection) as many:
        response = rep_client.get(tip.url)
    assert len(response.context["related"]) == 5
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as own:
        related_tips(tip)
    assert len(own) == 1


def test_a_tip_viewed_again_reuses_its_related_tips_until_a_vector_changes(rep_client, rep, monkeypatch):
    """The second view of a tip scans no tip vectors; editing another tip's text to say the same
    thing finds the neighbours afresh, and that tip joins the related list at the top."""
    tips = paraphrase_tips(rep, distractors=10)
    tip = tips["Handling the 'too expensive' objection"]
    scans = []
    real_similar_to = related.similar_to

    def counted_similar_to(obj, *args, **kwargs):
        scans.append(obj.pk)
        return real_similar_to(obj, *args, **kwargs)

    monkeypatch.setattr(related, "similar_to", counted_similar_to)
    before = [item.title for item in rep_client.get(tip.url).context["related"]]
    again = [item.title for item in rep_client.get(tip.url).context["related"]]
    assert (scans, again) == ([tip.pk], before)

    log_meetings = tips["Log every meeting in the CRM the same day"]
    assert log_meetings.title not in before
    log_meetings.title = "When the buyer says our price is too high"
    log_meetings.summary = tip.summary
    log_meetings.save_revision().publish()
    after = [item.title for item in rep_client.get(tip.url).context["related"]]
    assert scans == [tip.pk, tip.pk]
    assert after[0] == "When the buyer says our price is too high"


def test_a_video_page_shows_related_tips(rep_client, rep):
    paraphrase_tips(rep, distractors=0)
    video = make_video(
        "Handle price objections on the call",
        author=rep,
        summary="What to say when the buyer says we are too expensive.",
    )
    response = rep_client.get(video.url)
    assertContains(response, "Related tips")
    assertContains(response, "Handling the &#x27;too expensive&#x27; objection")
