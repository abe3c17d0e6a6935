"""Listens to knowledge, coaching and comments, where every receiver just records an activity
event, and to deals and scoring settings, whose changes drop the kept influence figures."""

import importlib
import threading

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver
from django_comments.signals import comment_was_posted

from knowledge import contracts
from knowledge import signals as knowledge_signals

from . import activity, attribution, rollups
from .models import ActivityEvent, DailyActivity, Deal, ScoringSettings

Verb = ActivityEvent.Verb


def share_verb(instance) -> str:
    """The verb a share of ``instance`` records: the one its content kind declares."""
    return Verb(contracts.kind_of(instance).verb)


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


# Users being deleted in this thread: their events go with them, and so do their counts.
_leaving = threading.local()


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="leaderboard_user_leaving")
def user_leaving(sender, instance, **kwargs):
    _leaving.pks = {*getattr(_leaving, "pks", set()), instance.pk}


@receiver(post_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="leaderboard_user_left")
def user_left(sender, instance, **kwargs):
    getattr(_leaving, "pks", set()).discard(instance.pk)


@receiver([post_save, post_delete], sender=ActivityEvent, dispatch_uid="leaderboard_event_changed")
def event_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return  # loaddata (a restore) brings the daily counts with the events
    if instance.rep_id not in getattr(_leaving, "pks", set()):
        rollups.event_changed(instance)


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


def recount_after_migrate(sender, using="default", verbosity=1, stdout=None, **kwargs):
    """A deploy runs ``migrate``: if it changed a fair-play cap, history is re-counted then."""
    if using != "default" or DailyActivity._meta.db_table not in connection.introspection.table_names():
        return  # migrated back to before the daily counts existed
    if rollups.ensure_counted_with_current_caps() and verbosity and stdout:
        stdout.write("Re-counted the leaderboard's daily activity for the current fair-play caps.\n")
