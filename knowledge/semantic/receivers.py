"""Keeps vectors in step with content: embed after a save, forget after a delete.

``knowledge.contracts.register`` connects them for each kind it registers as embedded, naming
the model, so knowledge.semantic never imports coaching. Wagtail's publish saves the page, so
post_save covers it too.
"""

from django.db.models.signals import post_delete, post_save

from .. import pending
from ..oncommit import enqueue_once_on_commit
from . import encoder
from .tasks import VECTORS_JOB, refresh_vectors
from .writing import delete_vectors


def schedule_refresh(obj) -> None:
    """Embed obj's text: inline with the immediate backend, else noted for the worker, which
    embeds every object saved since its last run in shared batches (``knowledge.pending``)."""
    if pending.batched():
        pending.note(VECTORS_JOB, obj)
        return
    enqueue_once_on_commit(refresh_vectors, obj._meta.label_lower, obj.pk)


def refresh_after_save(sender, instance, raw=False, **kwargs):
    if raw or not encoder.is_enabled():
        return
    schedule_refresh(instance)


def forget_after_delete(sender, instance, **kwargs):
    delete_vectors(instance)


def connect(model) -> None:
    """Embeds ``model``'s items when they are saved and forgets their vectors when deleted."""
    label = model._meta.label_lower
    post_save.connect(refresh_after_save, sender=model, dispatch_uid=f"semantic_refresh_after_save:{label}")
    post_delete.connect(forget_after_delete, sender=model, dispatch_uid=f"semantic_forget_after_delete:{label}")
