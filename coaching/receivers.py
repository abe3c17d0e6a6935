"""Keeps transcript cues in step with their video and announces first publications."""

from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished

from knowledge import signals as knowledge_signals
from knowledge.oncommit import enqueue_once_on_commit

from .models import CoachingVideoPage
from .tasks import rebuild_transcript_cues
from .transcripts import relist_cues


@receiver(page_published, sender=CoachingVideoPage, dispatch_uid="coaching_video_published")
def video_published(sender, instance, revision=None, **kwargs):
    """Rebuilds the cues from the published transcript; the first publication counts as a share.

    Parsing, storing and indexing the cues runs in the worker when there is one (inline with the
    immediate backend), once per transaction.
    """
    enqueue_once_on_commit(rebuild_transcript_cues, instance.pk)
    if not instance.author_id and instance.owner_id:
        # Curated in the admin without an author: whoever created the page shared it.
        CoachingVideoPage.objects.filter(pk=instance.pk).update(author=instance.owner_id)
        instance.author_id = instance.owner_id
    first_time = instance.first_published_at == instance.last_published_at
    if first_time and instance.author_id:
        knowledge_signals.shared.send(sender=CoachingVideoPage, instance=instance, user=instance.author)


@receiver(page_unpublished, sender=CoachingVideoPage, dispatch_uid="coaching_video_unpublished")
def video_unpublished(sender, instance, **kwargs):
    relist_cues(instance)
