"""Helpful marks and views on the content people share (tips, microposts, coaching videos).

The rules live here so that every kind of content follows them: no reaction to your own
content, one helpful mark per user and item, at most one view per user, item and day, and only
on the kinds registered as shared content (``knowledge.contracts``), items the person may see.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from wagtail.models import PageViewRestriction
from wagtail.query import PageQuerySet

from config import caching

from . import contracts, signals
from .models.reactions import ContentView, HelpfulMark


def shared_kind(label: str) -> contracts.Registration | None:
    """The registered kind for ``"app_label.model"`` (any case), or None for anything else."""
    return contracts.registration(label)


def shared_kinds() -> list[contracts.Registration]:
    return contracts.registrations()


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
    pages = pages.live()
    if not caching.cached(
        caching.VIEW_RESTRICTIONS, PageViewRestriction.objects.exists, timeout=caching.access_seconds()
    ):
        return pages
    group_ids = set(user.groups.values_list("pk", flat=True)) if user.is_authenticated else set()
    closed = Q()
    for restriction in PageViewRestriction.objects.select_related("page").prefetch_related("groups"):
        kind = restriction.restriction_type
        if user.is_authenticated and (
            user.is_superuser
            or kind == PageViewRestriction.LOGIN
            or (kind == PageViewRestriction.GROUPS and group_ids & {group.pk for group in restriction.groups.all()})
        ):
            continue
        closed |= pages.descendant_of_q(restriction.page, inclusive=True)
    return pages.exclude(closed) if closed else pages


class ReactionRefused(Exception):
    """The reaction breaks a rule; the message says which, in words a user understands."""


def author_of(obj):
    """Who gets credit for ``obj``, as its ``knowledge.contracts`` declaration says."""
    return contracts.owner_of(obj)


def author_id_of(obj) -> int | None:
    """The owner's primary key without loading the owner."""
    return contracts.owner_id_of(obj)


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
            mark = HelpfulMark.objects.create(user=user, content_type=content_type, object_id=obj.pk)
            _bump(obj, "helpful_count", 1)
            # In the transaction: what listeners write (activity, a notification) stands or falls with the mark.
            signals.helpful_marked.send(sender=type(obj), instance=obj, user=user, author=author_of(obj), undone=False)
    except IntegrityError as error:
        raise ReactionRefused("You have already marked this as helpful.") from error
    return mark


def unmark_helpful(user, obj) -> bool:
    """Takes back ``user``'s helpful mark on ``obj``; False when there was none."""
    with transaction.atomic():
        deleted, _ = HelpfulMark.objects.for_object(obj).filter(user=user).delete()
        if deleted:
            _bump(obj, "helpful_count", -1)
            signals.helpful_marked.send(sender=type(obj), instance=obj, user=user, author=author_of(obj), undone=True)
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


# A reader with more marks than this is asked the database for the items of each page instead.
MARKS_KEPT = 2000


def _marks_of(user) -> frozenset[tuple[int, int]] | None:
    """Every (content type id, object id) ``user`` marked, kept in the cache until they mark or
    unmark something; None for a reader with more than ``MARKS_KEPT`` marks."""

    def build():
        pairs = list(
            HelpfulMark.objects.filter(user=user).values_list("content_type_id", "object_id")[: MARKS_KEPT + 1]
        )
        return None if len(pairs) > MARKS_KEPT else frozenset(pairs)

    name = caching.reader_marks_name(user.pk)
    return caching.cached(name, build, timeout=caching.MARKS_SECONDS)


def helpful_ids_for(user, keys) -> set[tuple[int, int]]:
    """Those of the (content type id, object id) ``keys`` that ``user`` marked: from the reader's
    marks in the cache (one round trip instead of a query on every page), else in one query."""
    if not keys or not user.is_authenticated:
        return set()
    marks = _marks_of(user)
    if marks is not None:
        return {key for key in map(tuple, keys) if key in marks}
    by_type: dict[int, list[int]] = {}
    for content_type_id, object_id in keys:
        by_type.setdefault(content_type_id, []).append(object_id)
    query = Q()
    for content_type_id, ids in by_type.items():
        query |= Q(content_type_id=content_type_id, object_id__in=ids)
    return set(HelpfulMark.objects.filter(query, user=user).values_list("content_type_id", "object_id"))
