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
        signals.shared.send(
            sender=TipPage, instance=instance, user=instance.author or instance.owner
        )


@receiver(confirmation_received, dispatch_uid="knowledge_notify_comment")
def notify_about_comment(sender, comment, request=None, **kwargs):
    """Tells the content's author about a comment, and a parent comment's author about a reply."""
    from .comments import notify_about_comment as notify

    xtd_comment = getattr(comment, "xtd_comment", None)
    if xtd_comment is not None:
        notify(xtd_comment)


def featured_changed(sender, **kwargs):
    """Any tip or collection change may alter what the home page features.

    Publishing and unpublishing save the page, so ``post_save`` covers them too.
    """
    from .listings import invalidate

    invalidate("featured", "trending", "tips")


def _connect_featured_receivers():
    from django.db.models.signals import post_delete

    from .models import FeaturedCollection, FeaturedCollectionItem, TipPage

    for model in (TipPage, FeaturedCollection, FeaturedCollectionItem):
        post_save.connect(
            featured_changed, sender=model, dispatch_uid=f"featured_save_{model.__name__}"
        )
        post_delete.connect(
            featured_changed, sender=model, dispatch_uid=f"featured_del_{model.__name__}"
        )


_connect_featured_receivers()


def cards_changed(sender, instance=None, **kwargs):
    """A saved or deleted page, post, comment or helpful mark changes that item's card; a page or
    post also changes which items the streams and the tips index list.

    Publishing and unpublishing save the page, so they come through ``post_save`` as well.
    """
    from django.contrib.contenttypes.models import ContentType
    from django_comments_xtd.models import XtdComment
    from wagtail.models import Page

    from .cards import forget_card
    from .listings import invalidate
    from .models import HelpfulMark, Micropost

    if isinstance(instance, Micropost):
        forget_card(ContentType.objects.get_for_model(Micropost).pk, instance.pk)
        invalidate("stream")
    elif isinstance(instance, Page):
        forget_card(instance.content_type_id, instance.pk)
        top_level = (instance.depth or 0) <= 3  # none while fixtures load
        invalidate("stream", "tip-keys", "tip-keys-ranked", *(["tips-index-slug"] if top_level else []))
    elif isinstance(instance, XtdComment):
        if str(instance.object_pk).isdigit():  # blank while a restore loads the comment's own row
            forget_card(instance.content_type_id, instance.object_pk)
    elif isinstance(instance, HelpfulMark):
        forget_card(instance.content_type_id, instance.object_id)
        invalidate("tip-keys-ranked")


def _connect_stream_receivers():
    from django.db.models.signals import post_delete

    post_save.connect(cards_changed, dispatch_uid="cards_changed_save")
    post_delete.connect(cards_changed, dispatch_uid="cards_changed_delete")


_connect_stream_receivers()


def view_restrictions_changed(sender, **kwargs):
    """A page view restriction was added or removed: pages check for them again."""
    from .listings import invalidate

    invalidate("view-restrictions")


def _connect_view_restriction_receivers():
    from django.db.models.signals import post_delete
    from wagtail.models import PageViewRestriction

    post_save.connect(view_restrictions_changed, sender=PageViewRestriction, dispatch_uid="view_restrictions_save")
    post_delete.connect(view_restrictions_changed, sender=PageViewRestriction, dispatch_uid="view_restrictions_del")


_connect_view_restriction_receivers()
