"""Keeps the search index up to date on save: at once without a worker, in batches with one.

modelsearch queues an index update on every ``post_save``. Sharing a tip saves it three times
(the page, its revision's publish, the tags), so a task worker got three identical jobs, each a
new index generation every web worker then reopened. Huddle turns modelsearch's handlers off
(``search_auto_update = False``, read when they are registered) and connects these instead.

With no worker (the one-machine default) an object is indexed at once, as before. With a worker,
a save is noted for the ``search-index`` job (``knowledge.pending``), which indexes every pending
object in one index commit: one commit per saved object cost the worker 45 ms of CPU a micropost.
"""

from collections import defaultdict

from django.db.models.signals import post_delete, post_save
from modelsearch import index
from modelsearch.backends import get_search_backends_with_name
from modelsearch.tasks import insert_or_update_object_task

from . import pending
from .oncommit import enqueue_once_on_commit

INDEX_JOB = "search-index"


def update_on_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    if pending.batched():
        pending.note(INDEX_JOB, instance)
        return
    key = (instance._meta.app_label, instance._meta.model_name, str(instance.pk))
    enqueue_once_on_commit(insert_or_update_object_task, *key)  # runs now


def remove_on_delete(sender, instance, **kwargs):
    index.remove_object(instance)


def index_objects(model, pks) -> None:
    """Adds the objects of ``model`` with these primary keys, as each backend indexes them (a page
    as its specific type), to every backend that updates on save, one write each; gone objects
    are skipped."""
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


pending.register(INDEX_JOB, index_objects)


def take_over_auto_update() -> None:
    """Call from an app's ``ready()`` that runs before wagtail.search registers its handlers."""
    for model in index.get_indexed_models():
        if not getattr(model, "search_auto_update", True):
            continue  # a model that opted out itself
        model.search_auto_update = False
        post_save.connect(update_on_save, sender=model, dispatch_uid=f"huddle_index_save_{model._meta.label}")
        post_delete.connect(remove_on_delete, sender=model, dispatch_uid=f"huddle_index_delete_{model._meta.label}")
