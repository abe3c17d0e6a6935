"""Keeps the search index up to date on save: at once without a worker, in batches with one.

modelsearch queues an index update on every ``post_save``. Sharing a tip saves it three times
(the page, its revision's publish, the tags), so a task worker got three identical jobs, each a
new index generation every web worker then reopened. Huddle turns modelsearch's handlers off
(``search_auto_update = False``, read when they are registered) and connects these instead.

With no worker (the one-machine default) an object is indexed at once, as before. With a worker,
a save writes a ``PendingIndexUpdate`` row in its own transaction and queues one job when it
commits; the job indexes every pending object in one index commit. A Whoosh commit costs about
35 ms of CPU however few documents it adds (it writes a segment and merges the small ones), so
one commit per saved object cost 45 ms of the worker's CPU per micropost under load.
"""

from collections import defaultdict

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django_tasks.backends.immediate import ImmediateBackend
from modelsearch import index
from modelsearch.backends import get_search_backends_with_name
from modelsearch.tasks import insert_or_update_object_task

from .oncommit import enqueue_once_on_commit

BATCH = 500  # pending objects taken in one index commit


def update_on_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from .models import PendingIndexUpdate
    from .tasks import index_pending_updates

    key = (instance._meta.app_label, instance._meta.model_name, str(instance.pk))
    if isinstance(index_pending_updates.get_backend(), ImmediateBackend):
        enqueue_once_on_commit(insert_or_update_object_task, *key)  # runs now
        return
    PendingIndexUpdate.objects.create(app_label=key[0], model_name=key[1], object_id=key[2])
    enqueue_once_on_commit(index_pending_updates)


def remove_on_delete(sender, instance, **kwargs):
    index.remove_object(instance)


def index_pending(batch: int = BATCH) -> int:
    """Indexes every pending object, ``batch`` at a time, one index commit each; returns how many
    rows it handled. Rows are deleted in the transaction that indexed them: when indexing fails
    they stay for the next run. Two workers take different rows (``skip_locked``)."""
    from .models import PendingIndexUpdate

    handled = 0
    while True:
        with transaction.atomic():
            rows = list(PendingIndexUpdate.objects.select_for_update(skip_locked=True).order_by("pk")[:batch])
            if not rows:
                return handled
            keys: dict[tuple[str, str], set[str]] = defaultdict(set)
            for row in rows:
                keys[(row.app_label, row.model_name)].add(row.object_id)
            for (app_label, model_name), pks in keys.items():
                _index(apps.get_model(app_label, model_name), pks)
            PendingIndexUpdate.objects.filter(pk__in=[row.pk for row in rows]).delete()
            handled += len(rows)


def _index(model, pks) -> None:
    """Adds the objects of ``model`` with these primary keys, as each backend indexes them (a page
    as its specific type), to every backend that updates on save; gone objects are skipped."""
    by_type: dict[type, list] = defaultdict(list)
    for obj in model._default_manager.filter(pk__in=pks):
        indexed = index.get_indexed_instance(obj, check_exists=False)
        if indexed is not None:
            by_type[type(indexed)].append(indexed.pk)
    for indexed_model, ids in by_type.items():
        objects = list(indexed_model.get_indexed_objects().filter(pk__in=ids))
        if not objects:
            continue
        for _name, backend in get_search_backends_with_name(with_auto_update=True):
            backend.add_bulk(indexed_model, objects)


def take_over_auto_update() -> None:
    """Call from an app's ``ready()`` that runs before wagtail.search registers its handlers."""
    for model in index.get_indexed_models():
        if not getattr(model, "search_auto_update", True):
            continue  # a model that opted out itself
        model.search_auto_update = False
        post_save.connect(update_on_save, sender=model, dispatch_uid=f"huddle_index_save_{model._meta.label}")
        post_delete.connect(remove_on_delete, sender=model, dispatch_uid=f"huddle_index_delete_{model._meta.label}")
