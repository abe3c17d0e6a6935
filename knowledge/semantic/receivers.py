"""Keeps vectors in step with content: embed after a save, forget after a delete.

Connected for every sender and filtered by model label, so knowledge.semantic never
imports coaching. Wagtail's publish saves the page, so post_save covers it too.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from ..oncommit import enqueue_once_on_commit
from . import encoder
from .indexing import is_embedded
from .tasks import refresh_vectors
from .writing import delete_vectors


def schedule_refresh(obj) -> None:
    """Embed obj's text: inline with the immediate backend, else in the worker after commit (once
    per transaction, however many times it saved the object)."""
    enqueue_once_on_commit(refresh_vectors, obj._meta.label_lower, obj.pk)


@receiver(post_save, dispatch_uid="semantic_refresh_after_save")
def refresh_after_save(sender, instance, raw=False, **kwargs):
    if raw or not is_embedded(sender) or not encoder.is_enabled():
        return
    schedule_refresh(instance)


@receiver(post_delete, dispatch_uid="semantic_forget_after_delete")
def forget_after_delete(sender, instance, **kwargs):
    if is_embedded(sender):
        delete_vectors(instance)
