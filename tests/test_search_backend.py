"""The Whoosh search backend (knowledge.search.whoosh) on a real index in a temp folder.

Uses Wagtail's own Page model, so it does not depend on Huddle's page types.
"""

import multiprocessing
import os
from io import StringIO

import django
import pytest
from django.apps import apps

if not apps.ready:  # a spawned writer process imports this module before Django is set up
    django.setup()

from django.core.management import call_command
from modelsearch import index
from modelsearch.backends import get_search_backend
from modelsearch.query import Fuzzy, Phrase, PlainText
from wagtail.models import Page

from knowledge.search import whoosh as whoosh_backend
from knowledge.search.storage import BUILDING, CURRENT

pytestmark = pytest.mark.django_db

BOOSTED_PAGE_FIELDS = [
    index.SearchField("title", boost=10),
    index.SearchField("seo_title", boost=2),
    index.SearchField("search_description"),
    index.AutocompleteField("title"),
    *[f for f in Page.search_fields if isinstance(f, index.FilterField)],
]


@pytest.fixture
def backend(settings, tmp_path):
    """The default backend pointed at an empty index folder of this test's own."""
    conf = {"BACKEND": "knowledge.search.whoosh", "PATH": str(tmp_path / "index")}
    settings.WAGTAILSEARCH_BACKENDS = settings.MODELSEARCH_BACKENDS = {"default": conf}
    return get_search_backend("default")


@pytest.fixture
def boosted_page_fields(monkeypatch):
    """Page indexed with a title, a summary-like and a body-like field of falling boost."""
    monkeypatch.setattr(Page, "search_fields", BOOSTED_PAGE_FIELDS)


def make_page(title, *, live=True, **fields):
    root = Page.get_first_root_node()
    return root.add_child(instance=Page(title=title, live=live, **fields))


def titles(results):
    return [page.title for page in results]


def test_stemmed_words_match(backend):
    """Searching "negotiating" finds a page about "negotiation"."""
    make_page("Negotiation tactics for procurement")
    make_page("Discovery questions")

    assert titles(Page.objects.search("negotiating")) == ["Negotiation tactics for procurement"]


def test_typos_still_find_pages(backend):
    """A misspelt word is widened to the index's words one edit away."""
    make_page("Procurement checklist")
    make_page("Objection handling for renewals")
    make_page("Forecast review")

    assert titles(Page.objects.search("procurment")) == ["Procurement checklist"]
    assert titles(Page.objects.search("objection handlign")) == ["Objection handling for renewals"]


def test_suggest_corrects_unknown_words_only(backend):
    """suggest() rewrites unknown words from the index vocabulary and is None when all are known."""
    make_page("Objection handling for renewals")

    assert backend.suggest("objection handlign") == "objection handling"
    assert backend.suggest("objection handling") is None


def test_suggest_corrects_typos_that_stem_like_the_right_word(backend):
    """ "procurment" stems like "procurement" (so it finds it) but still gets a correction."""
    make_page("Getting past procurement")

    assert titles(Page.objects.search("procurment")) == ["Getting past procurement"]
    assert backend.suggest("procurment") == "procurement"
    assert backend.suggest("procuring") is None


def test_user_text_is_not_query_syntax(backend):
    """Quotes, colons and AND in what a user types are plain words, not errors."""
    make_page("Pricing AND packaging")

    assert titles(Page.objects.search('"pricing: AND (packaging')) == ["Pricing AND packaging"]


def test_phrase_matches_words_in_order(backend):
    make_page("Renewal pricing playbook")
    make_page("Pricing a renewal late")

    assert titles(Page.objects.search(Phrase("renewal pricing"))) == ["Renewal pricing playbook"]


def test_fuzzy_query_matches_near_words(backend):
    make_page("Budget owner map")

    assert titles(Page.objects.search(Fuzzy("budgut"))) == ["Budget owner map"]


def test_title_outranks_summary_outranks_body(backend, boosted_page_fields):
    """A word in the title ranks above the same word in the seo title, above the description."""
    make_page("Onboarding notes", search_description="champion")
    make_page("Kickoff notes", seo_title="champion")
    make_page("Champion notes")

    assert titles(Page.objects.search("champion")) == [
        "Champion notes",
        "Kickoff notes",
        "Onboarding notes",
    ]


def test_fields_restrict_the_search(backend, boosted_page_fields):
    make_page("Kickoff notes", seo_title="champion")
    make_page("Champion notes")

    assert titles(Page.objects.search("champion", fields=["title"])) == ["Champion notes"]


def test_operator_and_or(backend):
    make_page("Discount approval")
    make_page("Discount timing")

    assert titles(Page.objects.search("discount approval", operator="and")) == ["Discount approval"]
    assert len(Page.objects.search("discount approval", operator="or")) == 2


def test_filters_apply_to_search(backend):
    make_page("Territory plan live")
    make_page("Territory plan draft", live=False)

    assert titles(Page.objects.live().search("territory")) == ["Territory plan live"]
    assert titles(Page.objects.filter(live=False).search("territory")) == ["Territory plan draft"]


def test_order_by_relevance_false_keeps_queryset_order(backend):
    for title in ["Budget b", "Budget c", "Budget a"]:
        make_page(title)

    results = Page.objects.order_by("-title").search("budget", order_by_relevance=False)
    assert titles(results) == ["Budget c", "Budget b", "Budget a"]


def test_autocomplete_matches_prefixes(backend):
    make_page("Procurement checklist")

    assert titles(Page.objects.autocomplete("procu")) == ["Procurement checklist"]


def test_admin_page_search_facets_by_content_type(backend):
    """Wagtail's admin page search autocompletes and then facets on content_type_id."""
    page = make_page("Procurement checklist")

    facets = Page.objects.all().autocomplete("procu").facet("content_type_id")
    assert dict(facets) == {page.content_type_id: 1}


def test_second_query_reuses_the_searcher(backend):
    """Opening a searcher is costly: queries reuse it until the index changes."""
    make_page("Pipeline review")
    store = backend.store
    list(backend.search("pipeline", Page))
    opens = store.searcher_opens

    assert titles(backend.search("pipeline", Page)) == ["Pipeline review"]
    assert titles(backend.search("review", Page)) == ["Pipeline review"]
    assert store.searcher_opens == opens
    make_page("Pipeline hygiene")
    assert len(backend.search("pipeline", Page)) == 2


def test_an_item_saved_again_between_searches_is_found_once(backend):
    """A re-save replaces the item's document; a searcher opened before must not still count the old one."""
    page = make_page("Walrus plan for renewals")
    for number in range(6):
        assert len(backend.search("walrus", Page)) == 1, f"after {number} saves"
        page.title = f"Walrus plan for renewals, take {number}"
        page.save()
        backend.add(page)
    assert len(backend.search("walrus", Page)) == 1


def _index_pages_in_child_process(path, worker, count):
    backend = whoosh_backend.WhooshSearchBackend({"PATH": path})
    for i in range(count):
        pk = 100_000 + worker * 1000 + i
        backend.add(Page(id=pk, title=f"Zebra tip {worker} {i}", path=f"{pk:08d}", depth=2))


@pytest.mark.slow
def test_concurrent_writers_lose_no_update(backend):
    """8 processes writing at once: every one of their 400 documents is searchable."""
    path = backend.store.path
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_index_pages_in_child_process, args=(path, worker, 50)) for worker in range(8)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=120)
    assert [p.exitcode for p in workers] == [0] * 8

    assert backend.search("zebra", Page).count() == 400


def test_killed_rebuild_leaves_the_old_index_serving(backend, monkeypatch):
    """A rebuild that dies half way changes nothing; the next one succeeds and tidies up."""
    make_page("Security review guide")
    call_command("update_index", stdout=StringIO())
    live = backend.store.current_generation()

    def die(self, model, items):
        raise RuntimeError("killed")

    monkeypatch.setattr(whoosh_backend.BuildingIndex, "add_items", die)
    with pytest.raises(RuntimeError):
        call_command("update_index", stdout=StringIO())

    assert backend.store.current_generation() == live
    assert titles(Page.objects.search("security")) == ["Security review guide"]

    monkeypatch.undo()
    call_command("update_index", stdout=StringIO())

    store = backend.store
    assert store.current_generation() != live
    assert titles(Page.objects.search("security")) == ["Security review guide"]
    assert not os.path.exists(os.path.join(store.path, BUILDING))
    leftovers = set(store.generations()) - {store.current_generation(), live}
    assert leftovers == set()


def test_writes_during_a_rebuild_reach_the_new_index(backend):
    """An object saved while a rebuild runs is in the index the rebuild swaps in."""
    rebuilder = backend.rebuilder_class(backend.index)
    rebuilder.start()
    make_page("Champion letter")  # indexed into the live generation and journaled
    rebuilder.finish()

    assert open(os.path.join(backend.store.path, CURRENT)).read() == rebuilder.build.name
    assert titles(Page.objects.search("champion")) == ["Champion letter"]


def test_rebuild_shows_progress(backend):
    make_page("Security review guide")
    out = StringIO()
    call_command("update_index", stdout=out)

    assert "wagtailcore.Page" in out.getvalue()
    assert "." in out.getvalue()


def test_counts_without_a_second_search(backend, monkeypatch):
    """count() and then the first page run one Whoosh search between them."""
    for i in range(3):
        make_page(f"Renewal plan {i}")
    searches = []
    original = whoosh_backend.WhooshSearchQueryCompiler.whoosh_query

    def counting(self, state=None):
        searches.append(1)
        return original(self, state)

    monkeypatch.setattr(whoosh_backend.WhooshSearchQueryCompiler, "whoosh_query", counting)
    results = Page.objects.search("renewal")

    assert results.count() == 3
    assert len(results[:2]) == 2
    assert len(searches) == 1


def test_plain_text_query_objects(backend):
    make_page("Cold email sequence")

    assert titles(backend.search(PlainText("email cold"), Page)) == ["Cold email sequence"]


def test_searching_an_index_with_nothing_in_it_finds_nothing(backend):
    """A new site whose worker has not indexed anything yet: no results, no error."""
    assert list(backend.search("anything", Page)) == []


def test_facets_are_counted_in_the_index_without_sql(backend, rep, other_rep, django_assert_num_queries):
    """facet() counts every match per value from the index: no primary key list, no query."""
    for number in range(3):
        make_page(f"Renewal plan {number}", owner=rep)
    make_page("Renewal plan by a peer", owner=other_rep)
    make_page("Renewal dates", owner=other_rep, live=False)
    make_page("Forecast review", owner=rep)
    gone = make_page("Renewal plan withdrawn", owner=rep)
    gone.delete()

    searches = {
        "word": Page.objects.search("renewal"),
        "live only": Page.objects.live().search("renewal"),
        "phrase": Page.objects.search(Phrase("renewal plan")),
        "typo": Page.objects.search("renewl"),
    }
    expected = {
        "word": {rep.pk: 3, other_rep.pk: 2},
        "live only": {rep.pk: 3, other_rep.pk: 1},
        "phrase": {rep.pk: 3, other_rep.pk: 1},
        "typo": {rep.pk: 3, other_rep.pk: 2},
    }
    for name, results in searches.items():
        with django_assert_num_queries(0):
            counts = results.facet("owner_id")
        assert dict(counts) == expected[name], name
        assert list(counts) == sorted(counts, key=lambda key: -counts[key])  # most first
