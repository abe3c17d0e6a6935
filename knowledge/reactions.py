"""Helpful marks and views on the content people share (tips, microposts, coaching videos).

The rules live here so that every kind of content follows them: no reaction to your own
content, one helpful mark per user and item, at most one view per user, item and day, and only
on the kinds registered as shared content, items the person may see.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from wagtail.models import PageViewRestriction
from wagtail.query import PageQuerySet

from . import signals
from .models import ContentView, HelpfulMark, Micropost, TipPage


@dataclass(frozen=True)
class SharedKind:
    """A kind of content people share: it takes comments and helpful marks and fills feeds.

    ``visible_to(user)`` is every item of the kind that ``user`` may see.
    """

    model: type[models.Model]
    visible_to: Callable[[object], QuerySet]


_shared_kinds: dict[str, SharedKind] = {}


def register_shared_kind(model: type[models.Model], visible_to: Callable[[object], QuerySet]) -> None:
    """Declares ``model`` shared content; the one list that comments and helpful marks accept."""
    _shared_kinds[model._meta.label_lower] = SharedKind(model, visible_to)


def shared_kind(label: str) -> SharedKind | None:
    """The shared kind for ``"app_label.model"`` (any case), or None for anything else."""
    return _shared_kinds.get(label.lower())


def shared_kinds() -> list[SharedKind]:
    return list(_shared_kinds.values())


def shared_object(label: str, pk: object, user) -> models.Model | None:
    """The shared item ``label``/``pk`` if ``user`` may see it; None for anything else."""
    kind = shared_kind(label)
    if kind is None:
        return None
    try:
        return kind.visible_to(user).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError, ValidationError):
        return None


def pages_visible_to(pages: PageQuerySet, user) -> PageQuerySet:
    """Live pages outside any private section ``user`` is not let into.

    A password-protected section counts as closed: a feed reader has no session to unlock it.
    """
    from .listings import cached  # listings imports this module

    pages = pages.live()
    if not cached("view-restrictions", PageViewRestriction.objects.exists, timeout=3600):
        return pages
    group_ids = set(user.groups.values_list("pk", flat=True)) if user.is_authenticated else set()
    closed = Q()
    for restriction in PageViewRestriction.objects.select_related("page").prefetch_related("groups"):
        kind = restriction.restriction_type
        if user.is_authenticated and (
            user.is_superuser
            or kind == PageViewRestriction.LOGIN
            or (kind == PageViewRestriction.GROUPS
                and group_ids & {group.pk for group in restriction.groups.all()})
        ):
            continue
        closed |= pages.descendant_of_q(restriction.page, inclusive=True)
    return pages.exclude(closed) if closed else pages


register_shared_kind(TipPage, lambda user: pages_visible_to(TipPage.objects.all(), user))
register_shared_kind(Micropost, lambda user: Micropost.objects.all())


class ReactionRefused(Exception):
    """The reaction breaks a rule; the message says which, in words a user understands."""


def author_of(obj):
    """Who made ``obj``: its ``author``, or a video's ``presenter``."""
    for name in ("author", "presenter"):
        if hasattr(obj, name):
            return getattr(obj, name)
    return None


def author_id_of(obj) -> int | None:
    """The author's primary key without loading the author."""
    for name in ("author_id", "presenter_id"):
        if hasattr(obj, name):
            return getattr(obj, name)
    return None


def _is_author(user, obj) -> bool:
    author_id = author_id_of(obj)
    return author_id is not None and author_id == user.pk


def _bump(obj, field: str, delta: int) -> None:
    """Keeps a denormalised counter (``helpful_count``, ``view_count``) in step, if present."""
    model = type(obj)
    if not any(f.name == field for f in model._meta.concrete_fields):
        return
    model._default_manager.filter(pk=obj.pk).update(**{field: F(field) + delta})
    setattr(obj, field, max(getattr(obj, field, 0) + delta, 0))


def has_marked_helpful(user, obj) -> bool:
    return HelpfulMark.objects.for_object(obj).filter(user=user).exists()


def mark_helpful(user, obj) -> HelpfulMark:
    """Records that ``user`` found ``obj`` helpful; refuses their own content and a second mark."""
    if _is_author(user, obj):
        raise ReactionRefused("You can't mark your own post as helpful.")
    content_type = ContentType.objects.get_for_model(obj)
    try:
        with transaction.atomic():
            mark = HelpfulMark.objects.create(
                user=user, content_type=content_type, object_id=obj.pk
            )
            _bump(obj, "helpful_count", 1)
    except IntegrityError as error:
        raise ReactionRefused("You have already marked this as helpful.") from error
    signals.helpful_marked.send(
        sender=type(obj), instance=obj, user=user, author=author_of(obj), undone=False
    )
    return mark


def unmark_helpful(user, obj) -> bool:
    """Takes back ``user``'s helpful mark on ``obj``; False when there was none."""
    with transaction.atomic():
        deleted, _ = HelpfulMark.objects.for_object(obj).filter(user=user).delete()
        if deleted:
            _bump(obj, "helpful_count", -1)
    if deleted:
        signals.helpful_marked.send(
            sender=type(obj), instance=obj, user=user, author=author_of(obj), undone=True
        )
    return bool(deleted)


def toggle_helpful(user, obj) -> bool:
    """Marks or unmarks; returns whether ``obj`` is now marked by ``user``."""
    if unmark_helpful(user, obj):
        return False
    mark_helpful(user, obj)
    return True


def record_view(user, obj) -> bool:
    """Counts one view per user, item and day (never the author's); True when this one counted."""
    if not user.is_authenticated or _is_author(user, obj):
        return False
    content_type = ContentType.objects.get_for_model(obj)
    try:
        with transaction.atomic():
            _, created = ContentView.objects.get_or_create(
                user=user, content_type=content_type, object_id=obj.pk, day=timezone.localdate()
            )
            if created:
                _bump(obj, "view_count", 1)
    except IntegrityError:  # a parallel request recorded the same view first
        return False
    if created:
        signals.viewed.send(sender=type(obj), instance=obj, user=user)
    return created


def helpful_ids(user, objects) -> set[tuple[int, int]]:
    """(content type id, object id) pairs among ``objects`` that ``user`` marked, in one query."""
    keys = [(ContentType.objects.get_for_model(obj).pk, obj.pk) for obj in objects if obj is not None]
    return helpful_ids_for(user, keys)


def helpful_ids_for(user, keys) -> set[tuple[int, int]]:
    """Those of the (content type id, object id) ``keys`` that ``user`` marked, in one query."""
    if not keys or not user.is_authenticated:
        return set()
    by_type: dict[int, list[int]] = {}
    for content_type_id, object_id in keys:
        by_type.setdefault(content_type_id, []).append(object_id)
    query = Q()
    for content_type_id, ids in by_type.items():
        query |= Q(content_type_id=content_type_id, object_id__in=ids)
    return set(
        HelpfulMark.objects.filter(query, user=user).values_list("content_type_id", "object_id")
    )
