"""Search by meaning, engine level: the real model, vectors in the database, the index, fusion.

Groups and users stand in for content: the engine is generic over content types.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from django.contrib.auth.models import Group, User

from knowledge.semantic import encoder, evaluation
from knowledge.semantic.chunking import chunk_cues
from knowledge.semantic.models import Embedding
from knowledge.semantic.ranking import fuse
from knowledge.semantic.store import nearest, similar_to, vector_of, warm_up
from knowledge.semantic.vector_index import VectorIndex, quantise
from knowledge.semantic.writing import delete_vectors, upsert_many, upsert_vectors

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _fresh_indexes():
    """Each test starts like a new process: no index in memory."""
    VectorIndex.forget_all()
    yield
    VectorIndex.forget_all()


def make_items(texts):
    return [Group.objects.create(name=f"item {i}") for i in range(len(texts))]


@pytest.fixture
def tips(db):
    """The paraphrase set's tips as groups named by title, with their vectors stored."""
    tips = {title: Group.objects.create(name=title) for title, _ in evaluation.all_tips()}
    upsert_many((tips[title], evaluation.tip_text(title, summary)) for title, summary in evaluation.all_tips())
    return tips


# The model --------------------------------------------------------------------------------


def test_vectors_are_unit_length_float32_and_batches_match_single_texts():
    """Batching, padding and sorting by length do not change a text's vector."""
    texts = ["Handling the 'too expensive' objection", "a", "Log every meeting in the CRM " * 40]
    together = encoder.embed(texts)
    alone = np.vstack([encoder.embed([text]) for text in texts])
    assert together.dtype == np.float32 and together.shape == (3, encoder.DIMENSIONS)
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(together, alone, atol=1e-4)


def test_model_name_names_the_weights():
    assert encoder.model_name().startswith("all-MiniLM-L6-v2-int8:")


def test_paraphrase_set_shares_no_content_word_with_its_targets():
    """So keyword search alone finds none of the targets below."""
    assert len(evaluation.PAIRS) >= 10
    for query, title, summary in evaluation.PAIRS:
        assert not evaluation.content_words_shared(query, title, summary), query


def test_queries_in_other_words_find_their_tip_in_the_top_three(tips):
    """Measured: 11 of 20 targets in the top 3 and 7 first; the floor leaves room for rounding."""
    titles = {group.pk: title for title, group in tips.items()}

    def search(query):
        return [titles[hit.object_id] for hit in nearest(query, models=[Group], k=3)]

    ranks = evaluation.target_ranks(search)
    in_top_three = sum(1 for rank in ranks if rank)
    assert in_top_three >= 10, ranks
    assert sum(1 for rank in ranks if rank == 1) >= 6, ranks


def test_int8_index_ranks_like_float32(tips):
    """Quantising the in-memory vectors keeps the nearest tip of every query."""
    vectors = np.vstack([vector_of(group) for group in tips.values()])
    queries = encoder.embed([query for query, _, _ in evaluation.PAIRS])
    matrix, scales = quantise(vectors)
    exact = queries @ vectors.T
    approximate = (queries @ matrix.astype(np.float32).T) * scales
    assert (exact.argmax(axis=1) == approximate.argmax(axis=1)).all()
    assert np.abs(exact - approximate).max() < 0.02


# The store --------------------------------------------------------------------------------


def test_a_new_index_loads_stored_vectors_without_embedding_again(db):
    """Vectors live in the database: a fresh process searches without re-embedding."""
    items = make_items(range(3))
    texts = ["Handling the 'too expensive' objection", "Voicemail script", "Onboarding new reps"]
    report = upsert_many(zip(items, texts, strict=True))
    assert report.embedded == 3
    query = encoder.embed(["pricing pushback"])[0]
    calls = encoder.get_encoder().texts_embedded

    VectorIndex.forget_all()
    warm_up()
    assert len(VectorIndex.for_content_type(Group)) == 3
    hits = nearest(query, models=[Group], k=3)

    assert encoder.get_encoder().texts_embedded == calls
    assert [hit.object_id for hit in hits][0] == items[0].pk


def test_unchanged_text_is_not_embedded_again(db):
    (item,) = make_items([0])
    upsert_vectors(item, "Ask for the next step before the call ends")
    calls = encoder.get_encoder().texts_embedded

    report = upsert_vectors(item, "  Ask for the next step\nbefore the call ends ")

    assert (report.embedded, report.unchanged, report.deleted) == (0, 1, 0)
    assert encoder.get_encoder().texts_embedded == calls


def test_changed_text_is_embedded_again_and_found_by_its_new_meaning(db):
    first, second = make_items([0, 1])
    upsert_many([(first, "Expense policy for client dinners"), (second, "Onboarding new reps")])
    assert nearest("restaurant receipts", models=[Group], k=1)[0].object_id == first.pk
    before = vector_of(first)

    report = upsert_vectors(first, "Cold calling opening lines that work")

    assert report.embedded == 1
    assert float(before @ vector_of(first)) < 0.9
    assert nearest("restaurant receipts", models=[Group], k=1)[0].object_id == second.pk
    assert Embedding.objects.for_object(first).get().model == encoder.model_name()


def test_a_new_model_name_triggers_a_recompute(db):
    (item,) = make_items([0])
    upsert_vectors(item, "Storytelling in product demos")
    Embedding.objects.update(model="an-older-model")

    assert upsert_vectors(item, "Storytelling in product demos").embedded == 1


def test_vanished_chunks_are_deleted_and_hits_name_the_best_chunk(db):
    (video,) = make_items([0])
    chunks = [
        (0, "Welcome to this coaching session on discovery.", 0.0),
        (1, "When the buyer says it costs too much, ask what they compare it with.", 42.5),
        (2, "Thanks for watching, see you next week.", 90.0),
    ]
    assert upsert_vectors(video, chunks).embedded == 3

    (hit,) = nearest("pricing pushback", models=[Group], k=5)
    assert (hit.object_id, hit.chunk) == (video.pk, 1)
    assert Embedding.objects.get(chunk=1).start_seconds == 42.5

    report = upsert_vectors(video, chunks[:2])
    assert (report.embedded, report.unchanged, report.deleted) == (0, 2, 1)
    assert sorted(Embedding.objects.values_list("chunk", flat=True)) == [0, 1]
    assert len(nearest("pricing pushback", models=[Group], k=5, per_object=False)) == 2


def test_delete_vectors_removes_the_object_from_search(db):
    first, second = make_items([0, 1])
    upsert_many([(first, "Voicemail script"), (second, "Onboarding new reps")])
    assert delete_vectors(first) == 1
    assert [hit.object_id for hit in nearest("voicemail", models=[Group], k=5)] == [second.pk]


def test_allowed_ids_exclude_and_several_models(db, rep):
    groups = make_items([0, 1])
    upsert_many([(groups[0], "Voicemail script"), (groups[1], "Voicemail tips for reps")])
    upsert_vectors(rep, "What to leave on an answering machine")

    both = nearest("voicemail", k=5)
    assert {(hit.content_type_id, hit.object_id) for hit in both} >= {
        (VectorIndex.for_content_type(User).content_type_id, rep.pk)
    }
    only = nearest("voicemail", models=[Group], allowed_ids={Group: [groups[1].pk]})
    assert [hit.object_id for hit in only] == [groups[1].pk]
    without = nearest("voicemail", models=[Group], exclude=[groups[0]])
    assert [hit.object_id for hit in without] == [groups[1].pk]


def test_similar_to_leaves_the_object_out_and_ranks_by_meaning(tips):
    expensive = tips["Handling the 'too expensive' objection"]
    hits = similar_to(expensive, k=5)
    ids = [hit.object_id for hit in hits]
    assert expensive.pk not in ids and len(ids) == 5
    assert tips["Winning against a rival with a lower price"].pk in ids


def test_an_index_picks_up_rows_written_by_another_process(db):
    """Rows changed behind the index's back are seen at the next check, without a full reload."""
    first, second, third = make_items([0, 1, 2])
    upsert_many([(first, "Voicemail script"), (second, "Onboarding new reps")])
    index = VectorIndex.for_content_type(Group)
    index.check_interval = 60
    index.refresh()
    assert len(index) == 2

    # Another process: new row for third, second deleted, first rewritten.
    row = Embedding.objects.for_object(first).get()
    Embedding.objects.create(
        content_type_id=row.content_type_id,
        object_id=third.pk,
        text_hash="x",
        model=row.model,
        vector=encoder.embed(["Expense policy for client dinners"])[0].tobytes(),
    )
    Embedding.objects.for_object(second).delete()
    row.vector = encoder.embed(["Forecast categories"])[0].tobytes()
    row.save()

    assert index.refresh() is False  # checked at most every few seconds
    index.check_interval = 0
    assert index.refresh() is True
    assert len(index) == 2
    assert nearest("restaurant receipts", models=[Group], k=1)[0].object_id == third.pk
    assert nearest("pipeline commit best case", models=[Group], k=1)[0].object_id == first.pk


def test_an_index_beside_rows_of_an_older_model_keeps_only_the_current_ones(db):
    """Rows of a previous model, not yet recomputed, are never searched, and new rows are still seen."""
    first, second, third = make_items([0, 1, 2])
    upsert_many([(first, "Voicemail script"), (second, "Onboarding new reps")])
    Embedding.objects.for_object(second).update(model="an-older-model")
    index = VectorIndex.for_content_type(Group)
    index.check_interval = 0
    index.refresh()
    assert len(index) == 1

    upsert_vectors(third, "Expense policy for client dinners")
    index.refresh()
    assert len(index) == 2
    assert {hit.object_id for hit in nearest("onboarding", models=[Group], k=5)} == {first.pk, third.pk}


def test_turned_off_nothing_is_embedded_or_searched(db, settings):
    settings.SEMANTIC_SEARCH = False
    (item,) = make_items([0])
    assert upsert_vectors(item, "Voicemail script").embedded == 0
    assert not Embedding.objects.exists()
    assert nearest("voicemail") == []
    assert similar_to(item) == []
    with pytest.raises(encoder.SemanticSearchDisabled):
        encoder.embed(["voicemail"])


def test_turned_off_onnxruntime_is_never_imported():
    """A machine too small for the model never loads it."""
    script = textwrap.dedent(
        """
        import sys, django
        django.setup()
        from django.contrib.auth.models import Group
        from knowledge.semantic.store import nearest
        from knowledge.semantic.writing import upsert_vectors
        assert upsert_vectors(Group(pk=1, name="x"), "text").embedded == 0
        assert nearest("text") == []
        print(sorted(m for m in ("onnxruntime", "tokenizers") if m in sys.modules))
        """
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "SEMANTIC_SEARCH": "0"}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# Fusion -----------------------------------------------------------------------------------


def keys(fused):
    return [hit.key for hit in fused]


def test_confident_keyword_results_keep_their_order():
    keyword = ["a", "b", "c", "d", "e", "f"]
    meaning = {"x": 0.9, "c": 0.8, "y": 0.3}
    fused = fuse(keyword, meaning)
    assert keys(fused) == ["a", "b", "c", "d", "e", "f", "x"]
    assert [hit.by_meaning for hit in fused] == [False] * 6 + [True]
    assert fused[2].meaning_score == 0.8 and fused[2].keyword_rank == 3


def test_a_typo_query_whose_keyword_hits_are_right_keeps_the_same_top_results():
    """Meaning vectors of a misspelt query are noisy; they must not displace right keyword hits."""
    keyword = ["objection-tip", "pricing-tip"]
    noisy_meaning = {"unrelated-1": 0.62, "unrelated-2": 0.41, "objection-tip": 0.2}
    fused = fuse(keyword, noisy_meaning, keyword_scores=[7.5, 6.1])
    assert keys(fused)[:2] == keyword
    many = [f"k{i}" for i in range(8)]
    assert keys(fuse(many, noisy_meaning, keyword_scores=range(8, 0, -1)))[:8] == many


def test_meaning_fills_in_when_keyword_results_are_few():
    fused = fuse(["k1"], [("m1", 0.5), ("m2", 0.3), ("m3", 0.1)])
    assert keys(fused) == ["k1", "m1", "m2"]
    assert [hit.by_meaning for hit in fused] == [False, True, True]


def test_a_close_meaning_hit_passes_a_weak_keyword_hit():
    fused = fuse(["k1", "weak"], {"m1": 0.6, "m2": 0.3}, keyword_scores=[10.0, 1.0])
    assert keys(fused) == ["k1", "m1", "weak", "m2"]


def test_no_keyword_hits_gives_meaning_results_only():
    fused = fuse([], {"m1": 0.3, "m2": 0.5, "m3": 0.05}, limit=5)
    assert keys(fused) == ["m2", "m1"]
    assert all(hit.by_meaning for hit in fused)


def test_meaning_only_results_are_capped():
    meaning = {f"m{i}": 0.4 - i / 100 for i in range(10)}
    assert keys(fuse(["k"], meaning, meaning_limit=3)) == ["k", "m0", "m1", "m2"]


def test_fusion_respects_the_limit_and_drops_repeats():
    fused = fuse(["a", "a", "b"], {"m": 0.9}, keyword_scores=[3, 1, 2], limit=2)
    assert keys(fused) == ["a", "b"]


# Chunking -----------------------------------------------------------------------------------


def test_transcript_cues_are_grouped_into_chunks_that_start_at_their_first_cue():
    cues = [(0.0, "one two three"), (4.5, "four five"), (9.0, "six seven eight nine"), (12.0, "")]
    assert chunk_cues(cues, max_words=5) == [
        (0, "one two three four five", 0.0),
        (1, "six seven eight nine", 9.0),
    ]


def test_a_cue_longer_than_a_chunk_is_split():
    long_cue = " ".join(f"w{i}" for i in range(7))
    assert chunk_cues([(3.0, long_cue), (8.0, "tail")], max_words=3) == [
        (0, "w0 w1 w2", 3.0),
        (1, "w3 w4 w5", 3.0),
        (2, "w6 tail", 3.0),
    ]
