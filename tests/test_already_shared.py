"""Near duplicates ("Already shared?") on the share forms, and the possible duplicates page for marketing.

The real model runs here (no mocks): tips come from the paraphrase set in
knowledge/semantic/evaluation.py, whose queries share no content word with their tip.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains

from knowledge.semantic.duplicates import already_shared, possible_duplicate_pairs

from .factories import make_micropost, make_tip
from .meaning_support import paraphrase_tips

pytestmark = pytest.mark.django_db


# Already shared? --------------------------------------------------------------------------


def test_already_shared_lists_up_to_three_near_duplicates(rep_client, rep):
    tips = paraphrase_tips(rep, distractors=0)
    for number in range(3):
        make_micropost(f"Saving an account that is about to churn: call the sponsor ({number})", author=rep)
    response = rep_client.get(
        "/meaning/already-shared/", {"title": "Save an account that is about to churn", "summary": ""}
    )
    assertContains(response, "Already shared?")
    assertContains(response, "Micropost")
    assert len(response.context["duplicates"]) == 3  # four say the same; three are shown
    assert tips["Saving an account that is about to churn"].url in [
        item.url for item in already_shared("Save an account that is about to churn", limit=4)
    ]


def test_already_shared_stays_quiet_for_new_subjects_short_text_and_retired_tips(rep_client, rep):
    tips = paraphrase_tips(rep, distractors=10)
    for text in (
        "Bring a security engineer to the technical deep dive",
        "Run a win-loss review after every lost deal",
        "pricing",
        "",
    ):
        response = rep_client.get("/meaning/already-shared/", {"title": text})
        assertNotContains(response, "Already shared?")
    tips["Re-engage a buyer who stopped answering"].retire()
    response = rep_client.get(
        "/meaning/already-shared/", {"title": "How to re-engage a prospect who stopped answering"}
    )
    assertNotContains(response, "Re-engage a buyer who stopped answering")


def test_share_forms_ask_after_a_pause_in_typing(rep_client):
    form = rep_client.get("/tips/new/")
    assertContains(form, 'hx-get="/meaning/already-shared/"')
    assertContains(form, "keyup changed delay:600ms from:#id_title")
    home = rep_client.get("/")
    assertContains(home, 'hx-get="/meaning/already-shared/"')


def test_possible_duplicates_are_for_marketing_most_similar_first(marketer_client, rep_client, manager_client, rep):
    paraphrase_tips(rep, distractors=10)
    make_tip(
        "Re-engaging a buyer who stopped answering",
        author=rep,
        summary="When someone goes silent after a demo, send a short note that offers an easy way out; "
        "most people reply to close the loop.",
    )
    make_tip(
        "Handling the too expensive objection",
        author=rep,
        summary="Ask what the cost is compared with, and tie the number back to the savings.",
    )
    pairs = possible_duplicate_pairs()
    assert len(pairs) == 2
    assert pairs[0].score >= pairs[1].score >= 0.8
    assert {pair.first.title for pair in pairs} | {pair.second.title for pair in pairs} >= {
        "Re-engaging a buyer who stopped answering",
        "Re-engage a buyer who stopped answering",
    }
    response = marketer_client.get("/admin/reports/possible-duplicates/")
    assertContains(response, "Re-engaging a buyer who stopped answering")
    assert rep_client.get("/admin/reports/possible-duplicates/").status_code in (302, 403)
    assert manager_client.get("/admin/reports/possible-duplicates/").status_code in (302, 403)


def test_possible_duplicates_page_queries_do_not_grow_with_pairs(marketer_client, rep):
    """The same number of SQL queries for one pair of look-alike tips as for three."""
    summary = "When someone goes silent after a demo, send a short note that offers an easy way out."

    def add_pair(number):
        make_tip(f"Re-engage a buyer who stopped answering ({number})", author=rep, summary=summary)
        make_tip(f"Re-engaging a buyer who stopped answering ({number})", author=rep, summary=summary)

    def queries_for_page():
        marketer_client.get("/admin/reports/possible-duplicates/")  # computes and caches the pairs
        with CaptureQueriesContext(connection) as queries:
            response = marketer_client.get("/admin/reports/possible-duplicates/")
        return len(queries), len(response.context["pairs"])

    add_pair(1)
    few, pairs = queries_for_page()
    assert pairs == 1
    add_pair(2)
    many, pairs = queries_for_page()
    assert pairs == 6  # every two of the four say the same
    assert many == few
