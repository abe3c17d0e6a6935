"""Keeps the search index up to date on save, queuing one update per object per transaction.

modelsearch queues an index update on every ``post_save``. Sharing a tip saves it three times
(the page, its revision's publish, the tags), so a task worker got three identical jobs, each a
new index generation every web worker then reopened. Huddle turns modelsearch's handlers off
(``search_auto_update = False``, read when they are registered) and connects these instead:
with a worker configured, an object's update is queued once, when the transaction commits; with
no worker (the one-machine default) it runs at once, as before.
"""

from django.db.models.signals import post_delete, post_save
from modelsearch import index
from modelsearch.tasks import insert_or_update_object_task

from .oncommit import enqueue_once_on_commit


def update_on_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    key = (instance._meta.app_label, instance._meta.model_name, str(instance.pk))
    enqueue_once_on_commit(insert_or_update_object_task, *key)


def remove_on_delete(sender, instance, **kwargs):
    index.remove_object(instance)


def take_over_auto_update() -> None:
    """Call from an app's ``ready()`` that runs before wagtail.search registers its handlers."""
    for model in index.get_indexed_models():
        if not getattr(model, "search_auto_update", True):
            continue  # a model that opted out itself
        model.search_auto_update = False
        post_save.connect(update_on_save, sender=model, dispatch_uid=f"huddle_index_save_{model._meta.label}")
        post_delete.connect(remove_on_delete, sender=model, dispatch_uid=f"huddle_index_delete_{model._meta.label}")
