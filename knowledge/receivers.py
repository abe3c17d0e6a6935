from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models.signals import post_save
from django.dispatch import receiver
from django_comments_xtd.signals import confirmation_received
from wagtail.signals import page_published

from . import signals
from .roles import REPS


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="knowledge_new_user_is_rep")
def new_users_are_reps(sender, instance, created, raw=False, **kwargs):
    """Everyone starts as a rep; marketing and managers are promoted by hand."""
    if created and not raw:
        group, _ = Group.objects.get_or_create(name=REPS)
        instance.groups.add(group)


@receiver(page_published, dispatch_uid="knowledge_tip_first_published")
def tip_first_published_is_shared(sender, instance, revision=None, **kwargs):
    """A tip counts as shared once, when it is first published (at once or after approval)."""
    from .models import TipPage

    if isinstance(instance, TipPage) and instance.first_published_at == instance.last_published_at:
        signals.shared.send(sender=TipPage, instance=instance, user=instance.author or instance.owner)


@receiver(confirmation_received, dispatch_uid="knowledge_notify_comment")
def notify_about_comment(sender, comment, request=None, **kwargs):
    """Tells the content's author about a comment, and a parent comment's author about a reply."""
    from .comments import notify_about_comment as notify

    xtd_comment = getattr(comment, "xtd_comment", None)
    if xtd_comment is not None:
        notify(xtd_comment)
