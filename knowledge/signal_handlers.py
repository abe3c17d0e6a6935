"""What forgets each cache of ``config.caching``: one listener per model that changes it.

``register_signal_handlers`` runs from ``KnowledgeConfig.ready``; each kind of shared content
has its card and listings forgotten through ``knowledge.contracts.register`` (the listings its
model names in ``cache_listings``).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import m2m_changed, post_delete, post_save
from django_comments_xtd.models import XtdComment
from wagtail.models import PageViewRestriction, Site, get_page_models

from config import caching

from .models import FeaturedCollection, FeaturedCollectionItem, HelpfulMark, KnowledgeSettings, TipIndexPage


def comment_changed(sender, instance, raw=False, **kwargs):
    """A comment changes its item's card (the count it shows)."""
    if not raw and str(instance.object_pk).isdigit():  # blank while a restore loads the comment's own row
        caching.forget_card(instance.content_type_id, instance.object_pk)


def helpful_mark_changed(sender, instance, raw=False, **kwargs):
    """A helpful mark changes its item's card (the count), the tips sorted by marks and what its
    reader has marked."""
    if not raw:
        caching.forget_card(instance.content_type_id, instance.object_id)
        caching.invalidate(caching.TIP_KEYS_RANKED, caching.reader_marks_name(instance.user_id))


def featured_changed(sender, raw=False, **kwargs):
    """A collection or its items change what the home page features."""
    if not raw:
        caching.invalidate(caching.FEATURED)


def tagging_changed(sender, instance, raw=False, **kwargs):
    """A tag was put on an item or taken off: that tag's stream shows other items now."""
    if not raw and instance.tag_id:
        caching.invalidate(caching.tag_stream_name(instance.tag_id))


def tag_streams_of(model, ids) -> list[str]:
    """The streams of the tags these items carry (a retired or edited tip leaves or changes them)."""
    field = getattr(model, "tags_field", None)
    if not field or not ids:
        return []
    through = getattr(model, field).through
    if any(f.name == "content_object" for f in through._meta.get_fields()):
        rows = through.objects.filter(content_object_id__in=ids)
    else:  # taggit's generic TaggedItem
        rows = through.objects.filter(content_type=ContentType.objects.get_for_model(model), object_id__in=ids)
    return [caching.tag_stream_name(tag_id) for tag_id in set(rows.values_list("tag_id", flat=True))]


def guidelines_changed(sender, raw=False, created=False, **kwargs):
    """Marketing changed the posting guidelines. A row created on first read (``for_site``) holds
    the defaults that read already kept, so its creation changes nothing."""
    if not raw and not created:
        caching.invalidate(caching.POSTING_GUIDELINES)


def tips_index_changed(sender, raw=False, **kwargs):
    if not raw:
        caching.invalidate(caching.TIPS_INDEX_SLUG)


def view_restrictions_changed(sender, **kwargs):
    """A page view restriction was added or removed: pages check for them again."""
    caching.invalidate(caching.VIEW_RESTRICTIONS)


def site_changed(sender, instance=None, **kwargs) -> None:
    """A site, or a page that is some site's root, changed: each host finds its site again."""
    if isinstance(instance, Site) or instance.url_path in {root.root_path for root in Site.get_site_root_paths()}:
        caching.invalidate(caching.SITE)


def permissions_changed(sender, **kwargs) -> None:
    """Every cached permission set is stale."""
    caching.invalidate(caching.PERMISSIONS)


def _on_save_and_delete(handler, *models) -> None:
    for model in models:
        uid = f"{handler.__name__}_{model._meta.label_lower}"
        post_save.connect(handler, sender=model, dispatch_uid=f"{uid}_save")
        post_delete.connect(handler, sender=model, dispatch_uid=f"{uid}_delete")


def register_signal_handlers() -> None:
    caching.on_items_changed(tag_streams_of)
    _on_save_and_delete(tagging_changed, *_tagging_models())
    _on_save_and_delete(comment_changed, XtdComment)
    _on_save_and_delete(helpful_mark_changed, HelpfulMark)
    _on_save_and_delete(featured_changed, FeaturedCollection, FeaturedCollectionItem)
    _on_save_and_delete(tips_index_changed, TipIndexPage)
    _on_save_and_delete(guidelines_changed, KnowledgeSettings)
    _on_save_and_delete(view_restrictions_changed, PageViewRestriction)
    # Any page type can be a site's root; post_save names the concrete class.
    _on_save_and_delete(site_changed, Site, *get_page_models())
    User = get_user_model()
    _on_save_and_delete(permissions_changed, Group, Permission)
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(permissions_changed, sender=through, dispatch_uid=f"permissions_changed_{through.__name__}")


def _tagging_models() -> list:
    """The through models that put tags on stream items (every ``TaggedItemBase`` subclass)."""
    from django.apps import apps
    from taggit.models import TaggedItemBase

    return [model for model in apps.get_models() if issubclass(model, TaggedItemBase)]
