"""With a task worker configured, the worker is the search index's one writer: web requests only queue."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from knowledge import pending
from knowledge.index_updates import INDEX_JOB
from knowledge.microposts import edit_micropost
from knowledge.models import Micropost, PendingUpdate
from knowledge.search.storage import IndexStore

HTMX = {"HX-Request": "true"}


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO())


def found(word: str) -> list[str]:
    return [post.text for post in Micropost.objects.search(word)]


@pytest.fixture
def with_worker(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
def test_a_posted_micropost_is_found_once_the_worker_has_indexed_it(rep_client, with_worker):
    """The request answers without writing the index; the worker's update finds the post, tags and all."""
    rep_client.post(reverse("micropost_create"), {"text": "Globex asked for references"}, headers=HTMX)
    run_worker()
    response = rep_client.post(
        reverse("micropost_create"), {"text": "Umbrella signed after the pilot #pilots"}, headers=HTMX
    )
    assert response.status_code == 200
    post = Micropost.objects.latest("pk")
    assert [tag.name for tag in post.tags.all()] == ["pilots"]
    assert found("umbrella") == []  # queued, not indexed in the request
    run_worker()
    assert found("umbrella") == ["Umbrella signed after the pilot #pilots"]
    assert found("pilots") == ["Umbrella signed after the pilot #pilots"]


@pytest.mark.django_db(transaction=True)
def test_an_edited_micropost_is_found_by_its_new_words_after_the_worker_ran(rep_client, rep, with_worker):
    rep_client.post(reverse("micropost_create"), {"text": "Globex wants a discount"}, headers=HTMX)
    run_worker()
    edit_micropost(Micropost.objects.get(), text="Initech wants a discount #pricing")
    assert found("initech") == []  # queued, not indexed in the call
    run_worker()
    assert found("initech") == ["Initech wants a discount #pricing"]


@pytest.mark.django_db
def test_without_a_worker_a_post_is_found_at_once(rep_client):
    """The one-machine default: every background job, indexing included, runs in the request."""
    rep_client.post(reverse("micropost_create"), {"text": "Hooli renewed early #renewals"}, headers=HTMX)
    assert found("hooli") == ["Hooli renewed early #renewals"]
    assert found("renewals") == ["Hooli renewed early #renewals"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # needs the page tree
def test_sharing_a_tip_queues_one_index_update_for_it_and_the_worker_makes_it_findable(rep_client, with_worker):
    """The share saves the tip several times; the worker gets one job for it, after the commit."""
    from django_tasks_db.models import DBTaskResult

    from knowledge.models import TipPage

    response = rep_client.post(
        reverse("tip_create"), {"title": "Zanzibar pricing ladder", "body": "Anchor high, then step."}
    )
    assert response.status_code == 302
    tip = TipPage.objects.get(title="Zanzibar pricing ladder")
    from knowledge.semantic import encoder

    assert DBTaskResult.objects.filter(task_path__endswith="run_pending").count() == 1
    assert {(row.job, row.object_id) for row in PendingUpdate.objects.filter(job=INDEX_JOB)} == {
        (INDEX_JOB, str(tip.pk))
    }

    def queued(task: str) -> int:
        rows = DBTaskResult.objects.filter(task_path__endswith=task)
        return sum(str(tip.pk) in map(str, row.args_kwargs["args"]) for row in rows)

    assert queued("update_reference_index_task") == 1  # Wagtail's, three before
    assert PendingUpdate.objects.filter(job="vectors", object_id=str(tip.pk)).count() == (
        1 if encoder.is_enabled() else 0
    )
    assert not TipPage.objects.search("zanzibar")
    run_worker()
    assert [found.title for found in TipPage.objects.search("zanzibar")] == ["Zanzibar pricing ladder"]


@pytest.mark.django_db(transaction=True)
def test_the_worker_indexes_every_post_saved_since_its_last_run_in_one_commit(rep_client, with_worker, monkeypatch):
    """A Whoosh commit costs about 35 ms however few documents it adds: the posts that arrived
    while the worker was busy go in together."""
    commits = []
    real_write = IndexStore.write
    monkeypatch.setattr(
        IndexStore, "write", lambda store, operations: commits.append(len(operations)) or real_write(store, operations)
    )
    for company in ("Globex", "Initech", "Hooli"):
        rep_client.post(reverse("micropost_create"), {"text": f"{company} asked for a pilot"}, headers=HTMX)
    assert PendingUpdate.objects.filter(job=INDEX_JOB).count() == 3
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.filter(task_path__endswith="run_pending").count() == 1  # one waiting run for all
    run_worker()
    assert commits == [3]
    assert sorted(found("pilot")) == [f"{company} asked for a pilot" for company in ("Globex", "Hooli", "Initech")]
    assert not PendingUpdate.objects.exists()  # the vectors too


@pytest.mark.django_db(transaction=True)
def test_a_failed_index_write_keeps_the_posts_pending_for_the_next_run(rep_client, with_worker, monkeypatch):
    rep_client.post(reverse("micropost_create"), {"text": "Umbrella wants a pilot"}, headers=HTMX)
    real_write = IndexStore.write

    def full_disk(store, operations):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(IndexStore, "write", full_disk)
    with pytest.raises(OSError):
        pending.run(INDEX_JOB)
    assert PendingUpdate.objects.filter(job=INDEX_JOB).count() == 1
    assert found("umbrella") == []
    monkeypatch.setattr(IndexStore, "write", real_write)
    assert pending.run(INDEX_JOB) == 1
    assert found("umbrella") == ["Umbrella wants a pilot"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # needs the page tree
def test_posts_and_comments_queue_no_reference_index_job_and_are_no_usage_of_a_tip(rep_client, rep, with_worker):
    """Wagtail's "where is this used" lists pages, images and snippets that refer to an item. A
    comment is not a use of the tip it discusses, and a post's author and tags appear in no usage
    report: neither is indexed (each cost the worker a 19 ms job)."""
    from django_tasks_db.models import DBTaskResult
    from wagtail.models import ReferenceIndex

    from .factories import make_tip
    from .test_comment_moderation import make_comment

    tip = make_tip("Pricing ladder", author=rep)
    DBTaskResult.objects.all().delete()
    rep_client.post(reverse("micropost_create"), {"text": "Globex asked for references #pricing"}, headers=HTMX)
    make_comment(tip, rep, "Worked for me at Initech")
    assert not DBTaskResult.objects.filter(task_path__endswith="update_reference_index_task").exists()
    run_worker()
    assert not ReferenceIndex.get_references_to(tip).exists()


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_posts_queues_one_recount_of_the_reps_day_and_it_counts_them_all(rep_client, rep, with_worker):
    """The same job still waiting in the queue is not queued again: it has not started, so it
    counts what was committed before it runs."""
    from django_tasks_db.models import DBTaskResult

    from leaderboard.models import DailyActivity

    for company in ("Globex", "Initech", "Hooli"):
        rep_client.post(reverse("micropost_create"), {"text": f"{company} asked for a pilot"}, headers=HTMX)
    waiting = [
        job.args_kwargs["args"]
        for job in DBTaskResult.objects.filter(status="READY", task_path__endswith="recount_task")
        if job.args_kwargs["args"][0] == rep.pk
    ]
    assert len(waiting) == len({tuple(args) for args in waiting}) == 1
    run_worker()
    assert DailyActivity.objects.get(rep=rep).shared_micropost == 3
