"""Related tips by meaning on tip and video pages, and what they cost.

The real model runs here (no mocks): tips come from the paraphrase set in
knowledge/semantic/evaluation.py, whose queries share no content word with their tip.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains

from knowledge.semantic import related
from knowledge.semantic.related import forget_kept, nearest_tip_ids, related_tips

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


@pytest.fixture
def scans(monkeypatch) -> list[int]:
    """The pages whose related tips were found by scanning every tip vector, in order."""
    found = []
    real_similar_to = related.similar_to

    def counted_similar_to(obj, *args, **kwargs):
        found.append(obj.pk)
        return real_similar_to(obj, *args, **kwargs)

    monkeypatch.setattr(related, "similar_to", counted_similar_to)
    return found


def test_a_tip_viewed_again_reuses_its_related_tips_and_takes_in_a_changed_one_without_a_scan(rep_client, rep, scans):
    """The second view of a tip scans no tip vectors; when another tip's text is edited to say
    the same thing, that tip is scored against this one alone and joins the list at the top."""
    tips = paraphrase_tips(rep, distractors=10)
    tip = tips["Handling the 'too expensive' objection"]
    before = [item.title for item in rep_client.get(tip.url).context["related"]]
    again = [item.title for item in rep_client.get(tip.url).context["related"]]
    assert (scans, again) == ([tip.pk], before)

    log_meetings = tips["Log every meeting in the CRM the same day"]
    assert log_meetings.title not in before
    log_meetings.title = "When the buyer says our price is too high"
    log_meetings.summary = tip.summary
    log_meetings.save_revision().publish()
    after = [item.title for item in rep_client.get(tip.url).context["related"]]
    assert scans == [tip.pk]
    assert after[0] == "When the buyer says our price is too high"
    forget_kept()
    assert [item.title for item in rep_client.get(tip.url).context["related"]] == after  # what a scan finds


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


def test_kept_neighbours_stay_what_a_scan_finds_as_tips_are_shared_edited_and_deleted(rep, scans):
    """After each change the kept list, brought up to date from the tips that changed, is what a
    fresh scan of every tip vector finds (and each page scanned once, at the start)."""
    import random

    from knowledge.models import TipPage
    from knowledge.semantic import evaluation
    from knowledge.semantic.store import similar_to

    rng = random.Random(11)
    tips = list(paraphrase_tips(rep, distractors=20).values())
    watched = tips[:3]
    texts = [summary for _, summary in evaluation.all_tips()]
    for tip in watched:
        nearest_tip_ids(tip, TipPage, k=15)
    for step in range(12):
        action = rng.choice(["share", "edit", "delete"])
        if action == "share":
            tips.append(make_tip(f"New tip {step}", author=rep, summary=rng.choice(texts), body=""))
        elif action == "edit":
            tip = rng.choice(tips[3:])
            tip.summary = rng.choice(texts)
            tip.save_revision().publish()
        else:
            tips.pop(rng.randrange(3, len(tips))).delete()
        for tip in watched:
            kept = nearest_tip_ids(tip, TipPage, k=15)
            scanned = [hit.object_id for hit in similar_to(tip, k=15, models=[TipPage])]
            # A deleted neighbour leaves the list one shorter: still the scan's best, in its order.
            assert len(kept) >= 10 and kept == scanned[: len(kept)], (step, action)
    assert sorted(scans) == sorted(tip.pk for tip in watched)
