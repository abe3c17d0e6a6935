from django import template
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache

from ..follows import follow_label
from ..models import Follow

register = template.Library()

FOLLOWS_KEY = "notifications:follows:{}"


def followed_keys(user) -> frozenset[tuple[int, int]]:
    """(content type id, object id) of everything ``user`` follows, from the cache or one query;
    kept on the user object too, so a page with several follow buttons asks once."""
    found = getattr(user, "_followed_keys", None)
    if found is not None:
        return found
    key = FOLLOWS_KEY.format(user.pk)
    found = cache.get(key)
    if found is None:
        found = frozenset(Follow.objects.filter(user=user).values_list("content_type_id", "object_id"))
        cache.set(key, found, 3600)
    user._followed_keys = found
    return found


def forget_followed(user) -> None:
    cache.delete(FOLLOWS_KEY.format(user.pk))
    if getattr(user, "_followed_keys", None) is not None:
        del user._followed_keys  # on the user behind request.user's lazy wrapper too


@register.inclusion_tag("notifications/includes/follow_button.html", takes_context=True)
def follow_button(context, obj):
    """One click follows ``obj``, another stops; htmx swaps the button in place."""
    request = context["request"]
    content_type = ContentType.objects.get_for_model(obj)
    return {
        "request": request,  # the form's "next", so that it comes back here without JavaScript
        "content_type_id": content_type.pk,
        "object_id": obj.pk,
        "following": (content_type.pk, obj.pk) in followed_keys(request.user),
        "label": follow_label(obj),
    }


@register.inclusion_tag("notifications/includes/first_run.html", takes_context=True)
def first_run_question(context):
    """Asks once whether to follow the tags of one's accounts (nothing when there are none)."""
    from ..first_run import suggested_tags

    request = context["request"]
    return {"tags": suggested_tags(request.user), "request": request, "csrf_token": context.get("csrf_token")}
