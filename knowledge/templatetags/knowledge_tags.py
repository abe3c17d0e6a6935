"""Template tags for knowledge cards: micropost text, the helpful button, comment threads."""

import datetime

from django import template
from django.contrib.contenttypes.models import ContentType
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.timesince import timesince

from .. import cards
from ..comments import comment_thread
from ..listings import annotate_for
from ..microposts import render_mentions, render_text
from ..reactions import author_id_of

register = template.Library()


@register.filter
def ago(moment: datetime.datetime | None) -> str:
    """ "just now" for the first minute (timesince says "0 minutes"), then "5 minutes ago"."""
    if not moment:
        return ""
    if timezone.now() - moment < datetime.timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment)} ago"


@register.filter
def micropost_text(text: str) -> SafeString:
    """Escaped text with #hashtags and @mentions linked."""
    return render_text(text or "")


@register.filter
def comment_text(text: str) -> SafeString:
    """Escaped comment text with @mentions linked to profiles."""
    return render_mentions(text or "")


def helpful_url(obj) -> str:
    """Where the helpful toggle posts; cards have it precomputed by ``annotate_for``."""
    return getattr(obj, "helpful_url", None) or reverse(
        "helpful_toggle", args=[obj.content_type_id_for_reactions, obj.pk]
    )


@register.simple_tag(takes_context=True)
def helpful_button(context, obj) -> SafeString:
    """A toggle for any content with an author; works as a plain form without JavaScript."""
    user = cards.reader(context)
    if not hasattr(obj, "marked_helpful"):
        annotate_for(user, [obj], context.get("request"))
    url = helpful_url(obj)
    deferred = cards.defer(context, cards.helpful_slot(obj, url))
    if deferred is not None:
        return deferred
    return cards.render_helpful_button(context, obj=obj, url=url, own=author_id_of(obj) == getattr(user, "pk", None))


@register.simple_tag(takes_context=True)
def post_actions(context, post) -> SafeString:
    """A post's Edit (its author) and Delete or Remove (its author, marketing) controls."""
    deferred = cards.defer(context, cards.PostActionsSlot(post.pk, post.author_id))
    if deferred is not None:
        return deferred
    user = cards.reader(context)
    can_remove = user is not None and user.has_perm("knowledge.delete_micropost")
    return cards.render_post_actions(context, post=post, can_remove=can_remove)


@register.simple_tag(takes_context=True)
def listing_cards(context, listing) -> SafeString:
    """A stream page's or the tips index's cards, rendered once for everyone (``knowledge.cards``)."""
    return cards.render_cards(context, listing)


@register.inclusion_tag("includes/comments.html", takes_context=True)
def comments_for(context, obj):
    """The two-level comment thread and form for any object with ``get_absolute_url``."""
    request = context["request"]
    thread, count = comment_thread(obj, request.user)
    return {
        "obj": obj,
        "thread": thread,
        "comment_count": count,
        "request": request,
        "user": request.user,
        "csrf_token": context.get("csrf_token"),
        "perms": context.get("perms"),
        "content_type": ContentType.objects.get_for_model(obj),
    }


@register.simple_tag
def content_type_id(obj) -> int:
    return ContentType.objects.get_for_model(obj).pk


@register.simple_tag(takes_context=True)
def posting_guidelines(context) -> str:
    """What marketing set as this site's posting guidelines (rich text from the database, "" if
    none), from the cache: the settings row was a query on every feed and share page."""
    from wagtail.models import Site

    from config import caching

    from ..models import KnowledgeSettings

    site = Site.find_for_request(context["request"])
    if site is None:
        return ""
    return caching.cached(
        caching.POSTING_GUIDELINES,
        lambda: KnowledgeSettings.for_site(site).posting_guidelines,
        key=str(site.pk),
        timeout=3600,
    )


@register.simple_tag(takes_context=True)
def extra_sections(context, place: str) -> SafeString:
    """Renders the sections other apps registered for this place (see knowledge.sections), in the
    page's own context, as ``{% include %}`` would: rendering each with a fresh request context
    ran every context processor again (the bell, the navigation), about 0.5 ms a section."""
    from django.utils.safestring import mark_safe

    from ..sections import sections_for

    return mark_safe("".join(get_template(name).template.render(context) for name in sections_for(place)))
