"""Listens to knowledge, coaching and comments, where every receiver just records an activity
event, and to deals and scoring settings, whose changes drop the kept influence figures."""

import importlib

from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_comments.signals import comment_was_posted

from knowledge import signals as knowledge_signals

from . import activity, attribution
from .models import ActivityEvent, Deal, ScoringSettings

Verb = ActivityEvent.Verb

# What a share of each kind of content is called on the board.
SHARE_VERBS = {
    "tippage": Verb.SHARED_TIP,
    "micropost": Verb.SHARED_MICROPOST,
    "coachingvideopage": Verb.SHARED_VIDEO,
    "pitchsubmission": Verb.SHARED_PITCH,
}


def share_verb(instance) -> str:
    name = instance._meta.model_name
    if name in SHARE_VERBS:
        return SHARE_VERBS[name]
    if "video" in name:
        return Verb.SHARED_VIDEO
    if "pitch" in name:
        return Verb.SHARED_PITCH
    if "micropost" in name:
        return Verb.SHARED_MICROPOST
    return Verb.SHARED_TIP


@receiver(knowledge_signals.viewed, dispatch_uid="leaderboard_viewed")
def content_viewed(sender, instance, user, **kwargs):
    activity.record(Verb.CONTENT_VIEWED, actor=user, target=instance)


@receiver(knowledge_signals.shared, dispatch_uid="leaderboard_shared")
def content_shared(sender, instance, user, **kwargs):
    activity.record(share_verb(instance), actor=user, target=instance, owner=user)


@receiver(knowledge_signals.helpful_marked, dispatch_uid="leaderboard_helpful")
def helpful_marked(sender, instance, user, author=None, undone=False, **kwargs):
    if undone:
        activity.withdraw(Verb.HELPFUL_RECEIVED, actor=user, target=instance)
    else:
        activity.record(Verb.HELPFUL_RECEIVED, actor=user, target=instance, owner=author)


@receiver(comment_was_posted, dispatch_uid="leaderboard_commented")
def commented(sender, comment, **kwargs):
    target = comment.content_object
    if target is None and comment.content_type is not None:
        content_type = comment.content_type
        if not isinstance(content_type, ContentType):
            return
        target = content_type.get_object_for_this_type(pk=comment.object_pk)
    if target is not None:
        activity.record(Verb.COMMENTED, actor=comment.user, target=target)


@receiver([post_save, post_delete], sender=Deal, dispatch_uid="leaderboard_deal_changed")
@receiver([post_save, post_delete], sender=ScoringSettings, dispatch_uid="leaderboard_scoring_changed")
def influence_inputs_changed(sender, created=False, **kwargs):
    # The first read of a site's scoring settings creates them with the defaults the figures
    # were already built with; only a later edit changes a figure.
    if not (created and sender is ScoringSettings):
        attribution.influence_changed()


def review_submitted(sender, instance, reviewer, submitter, **kwargs):
    activity.record(Verb.COACHING_GIVEN, actor=reviewer, target=instance, owner=submitter)
    activity.record(Verb.COACHING_RECEIVED, actor=reviewer, target=instance, owner=submitter)


def connect_coaching() -> None:
    """Connects coaching's review signal when coaching has one (it came later than the rest)."""
    try:
        coaching_signals = importlib.import_module("coaching.signals")
    except ImportError:
        return
    signal = getattr(coaching_signals, "review_submitted", None)
    if signal is not None:
        signal.connect(review_submitted, dispatch_uid="leaderboard_review_submitted")
