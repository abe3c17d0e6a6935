"""What a card shows besides its own row: the reader's mark, comment counts, tags and links."""

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Q
from django.urls import reverse
from django_comments_xtd.models import XtdComment
from wagtail.models import Page

from .. import contracts
from ..models.tips import TipPage, TipPageTag
from ..reactions import helpful_ids


@dataclass(frozen=True)
class TagLink:
    name: str
    slug: str
    url: str


class _Links:
    """URLs for many cards from one ``reverse()`` per kind (a reverse per card adds up)."""

    MARKER = "0000000001"
    SAFE = "!$&'()*+,;=~:@-._"  # what reverse() leaves unquoted in a path segment

    def __init__(self):
        self._parts: dict[str, list[str]] = {}

    def __call__(self, name: str, *args) -> str:
        if name not in self._parts:
            self._parts[name] = reverse(name, args=[self.MARKER] * len(args)).split(self.MARKER)
        parts = self._parts[name]
        pieces = [parts[0]]
        for arg, part in zip(args, parts[1:], strict=True):
            pieces.append(f"{quote(str(arg), safe=self.SAFE)}{part}")
        return "".join(pieces)


def annotate_for(user, objects: Sequence, request=None) -> None:
    """Sets what cards show on each object, in three queries for any number of objects.

    ``marked_helpful``, ``comment_count``, ``card_tags`` (tips), ``card_url`` (computed with the
    request, so Wagtail finds the site root paths on it rather than in the cache), and the
    ``helpful_url``, ``author_url`` and ``account_url`` the card links to.
    """
    marked = helpful_ids(user, objects)
    counts = comment_counts(objects)
    links = _Links()
    tips = [obj for obj in objects if isinstance(obj, TipPage)]
    tags: dict[int, list[TagLink]] = {}
    if tips:
        rows = (
            TipPageTag.objects.filter(content_object_id__in=[tip.pk for tip in tips])
            .order_by("tag__name")
            .values_list("content_object_id", "tag__name", "tag__slug")
        )
        for tip_id, name, slug in rows:
            tags.setdefault(tip_id, []).append(TagLink(name, slug, links("tag_detail", slug)))
    for obj in objects:
        content_type_id = ContentType.objects.get_for_model(obj).pk
        key = (content_type_id, obj.pk)
        obj.marked_helpful = key in marked
        obj.comment_count = counts.get(key, 0)
        obj.content_type_id_for_reactions = content_type_id
        obj.helpful_url = links("helpful_toggle", content_type_id, obj.pk)
        owner_field, account_field = (obj.owner_field, obj.account_field) if contracts.declares(obj) else ("", "")
        author = _fetched(obj, owner_field)
        obj.author_url = links("profile", author.username) if author is not None else ""
        account = _fetched(obj, account_field)
        obj.account_url = links("account_detail", account.pk) if account is not None else ""
        if isinstance(obj, TipPage):
            obj.card_tags = tags.get(obj.pk, [])
        if isinstance(obj, Page):
            obj.card_url = obj.get_url(request)
        elif not hasattr(obj, "card_url"):
            obj.card_url = obj.get_absolute_url()


def annotate_for_cards(objects: Sequence, request=None) -> None:
    """``annotate_for`` without a reader: cached cards leave each reader's marks to be filled in."""
    annotate_for(AnonymousUser(), objects, request)


def _fetched(obj, field_name: str | None):
    """The object ``field_name`` relates ``obj`` to if it was fetched with ``obj``
    (``select_related``), else None: reading one not fetched costs a query per card."""
    if not field_name:
        return None
    try:
        field = obj._meta.get_field(field_name)
    except FieldDoesNotExist:
        return None
    fetched = (field.many_to_one or field.one_to_one) and field.is_cached(obj)
    return getattr(obj, field_name) if fetched else None


def comment_counts(objects: Sequence) -> dict[tuple[int, int], int]:
    commentable = [obj for obj in objects if contracts.declares(obj) and obj.card_shows_comment_count]
    if not commentable:
        return {}
    by_type: dict[int, list[str]] = {}
    for obj in commentable:
        by_type.setdefault(ContentType.objects.get_for_model(obj).pk, []).append(str(obj.pk))
    query = Q()
    for content_type_id, ids in by_type.items():
        query |= Q(content_type_id=content_type_id, object_pk__in=ids)
    rows = (
        XtdComment.objects.filter(query, is_public=True, is_removed=False)
        .values_list("content_type_id", "object_pk")
        .annotate(total=Count("pk"))
    )
    return {(content_type_id, int(object_pk)): total for content_type_id, object_pk, total in rows}
