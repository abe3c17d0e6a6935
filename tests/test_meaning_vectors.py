"""Vectors kept with the content (published, changed, deleted, rebuilt) and search by meaning turned off.

The real model runs here (no mocks).
"""

from io import StringIO

import pytest
from django.core.management import call_command
from pytest_django.asserts import assertContains, assertNotContains

from knowledge.models import Micropost, TipPage
from knowledge.semantic.models import Embedding
from knowledge.sitesearch.searching import search_site

from .factories import make_micropost, make_tip, make_video
from .meaning_support import VTT

pytestmark = pytest.mark.django_db


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
