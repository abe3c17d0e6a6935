"""Search by meaning in the site: vectors kept with content, hybrid search, related tips, "already shared?".

The real model runs here (no mocks): tips come from the paraphrase set in
knowledge/semantic/evaluation.py, whose queries share no content word with their tip.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains

from knowledge.models import Micropost, TipPage
from knowledge.semantic import evaluation, related
from knowledge.semantic.duplicates import already_shared, possible_duplicate_pairs
from knowledge.semantic.models import Embedding
from knowledge.semantic.related import related_tips
from knowledge.sitesearch.searching import SearchFilters, search_site

from .factories import make_account, make_micropost, make_tip, make_video

pytestmark = pytest.mark.django_db


def paraphrase_tips(author, *, distractors: int = 36) -> dict[str, TipPage]:
    """The paraphrase set's 20 target tips and some of its 36 others, published, by title."""
    tips = evaluation.all_tips()[: len(evaluation.PAIRS) + distractors]
    return {title: make_tip(title, author=author, summary=summary, body="") for title, summary in tips}


def vectors_of(obj) -> list[Embedding]:
    return list(Embedding.objects.for_object(obj).order_by("chunk"))


# Vectors kept with the content ------------------------------------------------------------


def test_a_tip_gets_a_vector_when_published_and_a_new_one_when_its_text_changes(rep):
    tip = make_tip("Re-engage a buyer who stopped answering", author=rep, summary="Send a short note.")
    [first] = vectors_of(tip)
    assert first.chunk == 0

    tip.save_revision().publish()  # saved again, same text: nothing embedded
    [same] = vectors_of(tip)
    assert (same.text_hash, same.vector) == (first.text_hash, first.vector)

    tip.title = "Win back a prospect who went quiet"
    tip.save_revision().publish()
    [changed] = vectors_of(tip)
    assert changed.text_hash != first.text_hash
    assert search_site("prospect went quiet").hits[0].title == "Win back a prospect who went quiet"


def test_deleting_content_deletes_its_vectors(rep):
    tip = make_tip(author=rep)
    post = make_micropost("Send the agenda the day before #prep", author=rep)
    assert vectors_of(tip) and vectors_of(post)
    tip_key, post_key = tip.pk, post.pk
    tip.delete()
    post.delete()
    assert not Embedding.objects.filter(object_id__in=[tip_key, post_key]).exists()


VTT = """WEBVTT

00:00:05.000 --> 00:00:09.000
Open with the customer's last quarter results.

00:01:23.000 --> 00:01:27.500
Never discount before the champion has seen the business case.
"""


def test_a_video_has_a_vector_for_its_title_and_one_per_transcript_chunk(rep):
    video = make_video("Negotiation in the last week", author=rep, transcript=VTT, summary="Closing well.")
    rows = vectors_of(video)
    assert [(row.chunk, row.start_seconds) for row in rows] == [(0, None), (1, 5.0)]


def test_update_index_rebuilds_the_vectors_with_a_progress_bar(rep):
    tip = make_tip(author=rep)
    make_micropost("Ask for the next step before hanging up", author=rep)
    Embedding.objects.all().delete()
    Embedding.objects.create(
        content_type_id=vectors_content_type(), object_id=999_999, chunk=0, text_hash="x", model="old", vector=b""
    )  # an object deleted behind our back
    out, err = StringIO(), StringIO()
    call_command("update_index", stdout=out, stderr=err)
    assert vectors_of(tip)
    assert Embedding.objects.count() == 2
    assert "Vectors: 2 objects, 2 texts embedded, 0 unchanged, 1 removed." in out.getvalue()
    assert "Vectors for tips" in err.getvalue()
    assert "wagtailcore.Page" in out.getvalue()  # Wagtail's own rebuild still ran


@pytest.mark.django_db(transaction=True)
def test_with_a_worker_configured_vectors_are_computed_in_the_background(rep, settings):
    """Queued after the commit, embedded by the worker (which closes connections: a real transaction)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    post = make_micropost("Send the agenda the day before the call", author=rep)
    assert not vectors_of(post)  # queued, not embedded in the request
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO())
    assert len(vectors_of(post)) == 1


def vectors_content_type() -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(TipPage).pk


def test_update_index_can_skip_the_vectors(rep):
    make_tip(author=rep)
    Embedding.objects.all().delete()
    out = StringIO()
    call_command("update_index", "--skip-vectors", stdout=out, stderr=StringIO())
    assert not Embedding.objects.exists()
    assert "Vectors:" not in out.getvalue()


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


# Turned off -------------------------------------------------------------------------------


def test_turned_off_everything_else_keeps_working(rep_client, rep, settings):
    settings.SEMANTIC_SEARCH = False
    tip = make_tip("Handling the 'too expensive' objection", author=rep, summary="Compare the cost.")
    make_tip("Winning against a rival with a lower price", author=rep)
    make_micropost("Ask for the next step before hanging up", author=rep)
    assert not Embedding.objects.exists()
    search = rep_client.get("/search/", {"q": "expensive"})
    assertContains(search, "1 result for")
    assertNotContains(search, "Related by meaning")
    page = rep_client.get(tip.url)
    assert page.status_code == 200
    assertNotContains(page, "Related tips")
    form = rep_client.get("/tips/new/")
    assertNotContains(form, "already-shared")
    response = rep_client.post("/tips/new/", {"title": "Send the agenda the day before", "body": "It works."})
    assert response.status_code in (200, 302)
    assert TipPage.objects.filter(title="Send the agenda the day before").exists()
    assertNotContains(
        rep_client.get("/meaning/already-shared/", {"title": "Handling the too expensive objection"}), "Already shared?"
    )
    assert Micropost.objects.count() == 1
