"""Every cache Huddle keeps, by name, and what forgets it.

A cache here is a *name*: what it holds is kept under that name's version, read in the same
round trip as the version, and ``invalidate(name)`` moves the version on, so no reader gets a
value built before a change. The names:

``STREAM``           which items each page of the home, account and profile streams shows
``tag_stream_name(tag id)`` the same for one tag's stream, under a version of its own: an item
                     moves it when its tags change or it is saved with that tag
``TIP_KEYS``         which tips each page of the tips index shows, newest first
``TIP_KEYS_RANKED``  the same, sorted by helpful marks or views
``TIP_COUNTS``       how many tips a tips-index filter finds
``FEATURED``         the home page's featured tips and pinned collections
``TRENDING``         the home page's most-marked items of the week
``VIEW_RESTRICTIONS`` whether any page has a view restriction (access control: see below)
``TIPS_INDEX_SLUG``  the tips index's slug, for ``HomePage.route``
``SITE``             each host's Wagtail site and its root page
``PERMISSIONS``      each user's permission set (access control)
``ACTIVITY_HISTORY`` everyone's counted activity per period, up to yesterday (the leaderboard)
``INFLUENCE``        what an item's page shows about the deals it influenced, and the
                     leaderboard's revenue and influence per period
``POSTING_GUIDELINES`` what marketing set as each site's posting guidelines
``reader_marks_name(user id)`` what one reader has marked helpful (their buttons on every card)

A *card* (one item as the streams and the tips index show it) is cached per item under
``card_key(content_type_id, pk)``; a save or delete of a kind registered with
``register_cached`` moves its item's card version and invalidates the listings it appears in.
The listeners are connected by ``register_cached`` for the model it names, and for the other
names in ``knowledge/signal_handlers.py``.

Access-control answers (``PERMISSIONS``, ``VIEW_RESTRICTIONS``) are kept ``ACCESS_SECONDS``
when the cache is shared between processes (Redis), where a change anywhere moves the version
everyone reads; with the in-process cache a change made in another process moves nothing here,
so they last ``ACCESS_IN_PROCESS_SECONDS`` only.
"""

# Models are imported where they are used: this module is read before the apps are loaded (by
# the permissions backend, and by a bare script sharing the cache).
import time
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from .cache import cache_is_shared

STREAM = "stream"
TIP_KEYS = "tip-keys"
TIP_KEYS_RANKED = "tip-keys-ranked"
TIP_COUNTS = "tips"
FEATURED = "featured"
TRENDING = "trending"
VIEW_RESTRICTIONS = "view-restrictions"
TIPS_INDEX_SLUG = "tips-index-slug"
SITE = "site"
PERMISSIONS = "permissions"
INFLUENCE = "influence"
ACTIVITY_HISTORY = "activity-history"
POSTING_GUIDELINES = "posting-guidelines"
# A reader's helpful marks, under a name (and so a version) of their own: one reader's click
# leaves everyone else's kept. Only the web requests that mark or unmark change them.
MARKS_SECONDS = 600


def tag_stream_name(tag_id: int) -> str:
    return f"tag-stream:{int(tag_id)}"


def reader_marks_name(user_id: int) -> str:
    return f"helpful-marks:{int(user_id)}"


# Listings: a change through a listener invalidates them early; the timeout bounds what no
# listener sees (a new helpful mark in trending, a view count, "3 minutes ago").
LISTING_SECONDS = 60
CARD_SECONDS = 60
ACCESS_SECONDS = 600
# In-process cache: a change made in another process never moves this process's version, so
# what this one keeps must expire quickly.
ACCESS_IN_PROCESS_SECONDS = 5


def access_seconds() -> int:
    """How long an access-control answer is kept (see the module's docstring)."""
    return ACCESS_SECONDS if cache_is_shared() else ACCESS_IN_PROCESS_SECONDS


def version_key(name: str) -> str:
    return f"huddle:{name}:version"


def cached_under_version(version_key: str, key: str, build: Callable[[], object], timeout: int):
    """``build()``'s result, kept for ``timeout`` seconds or until the version at ``version_key``
    moves on.

    The value is stored with the version it was built under and read in the same round trip as
    the current version: one cache call when it is there, and never an old value after a change.
    """
    found = cache.get_many([version_key, key])
    version = found.get(version_key)
    if version is None:
        cache.add(version_key, time.time_ns(), timeout=None)
        version = cache.get(version_key)
    stored = found.get(key)
    if stored is not None and version is not None and stored[0] == version:
        return stored[1]
    value = build()
    if version is not None:  # None: the cache is down, nothing to keep
        cache.set(key, (version, value), timeout)
    return value


def cached(name: str, build: Callable[[], object], *, key: str = "", timeout: int = LISTING_SECONDS):
    """``build()``'s result, kept for ``timeout`` seconds or until ``invalidate(name)``."""
    return cached_under_version(version_key(name), f"huddle:{name}:{key}", build, timeout)


def now_and_on_commit(forget: Callable[[], None]) -> None:
    """Runs ``forget`` now, and again once the transaction commits: a reader in between may have
    built its value from the rows before the change."""
    forget()
    transaction.on_commit(forget)


def invalidate(*names: str) -> None:
    """What ``cached`` keeps under these names is built anew on next use."""
    keys = [version_key(name) for name in names]
    now_and_on_commit(lambda: cache.set_many(dict.fromkeys(keys, time.time_ns()), timeout=None))


# Cards ------------------------------------------------------------------------------------


def card_key(content_type_id: int, object_id) -> str:
    """Where one item's card is cached (``knowledge.cards``)."""
    return f"huddle:card:{content_type_id}:{int(object_id)}"


def forget_card(content_type_id: int, object_id) -> None:
    """Drops an item's cached card: now, and again once the change is committed, so a reader who
    rendered it from the old rows in between does not keep them for a minute."""
    name = card_key(content_type_id, object_id)
    now_and_on_commit(lambda: cache.delete(name))


# Kinds of content with cards --------------------------------------------------------------

_listings_of: dict[type[Model], tuple[str, ...]] = {}


def register_cached(model: type[Model], *, listings: Iterable[str] = (STREAM,)) -> None:
    """Declares that ``model``'s items have cards and appear in ``listings``: saving or deleting
    one forgets its card and invalidates those listings (listeners for ``model`` only)."""
    from wagtail.models import Page
    from wagtail.signals import post_page_move

    _listings_of[model] = tuple(listings)
    uid = model._meta.label_lower
    post_save.connect(item_changed, sender=model, dispatch_uid=f"huddle_cached_save_{uid}")
    post_delete.connect(item_changed, sender=model, dispatch_uid=f"huddle_cached_delete_{uid}")
    if issubclass(model, Page):  # a move saves the page as a plain Page; this names its class
        post_page_move.connect(item_changed, sender=model, dispatch_uid=f"huddle_cached_move_{uid}")


def listings_of(model: type[Model]) -> tuple[str, ...]:
    return _listings_of.get(model, ())


def item_changed(sender, instance, raw=False, **kwargs) -> None:
    """A registered item was saved or deleted: its card and the listings it is in are stale."""
    if raw:  # fixtures load rows whose cards were never rendered
        return
    items_changed(sender, [instance.pk])


def items_changed(model: type[Model], ids: Iterable[int]) -> None:
    """For writes that send no signal (``QuerySet.update``): these items' cards and listings."""
    from django.contrib.contenttypes.models import ContentType

    content_type_id = ContentType.objects.get_for_model(model).pk
    ids = list(ids)
    for pk in ids:
        forget_card(content_type_id, pk)
    names = list(listings_of(model))
    for hook in _change_hooks:
        names += hook(model, ids)
    if names:
        invalidate(*names)


_change_hooks: list[Callable[[type[Model], list], Iterable[str]]] = []


def on_items_changed(hook: Callable[[type[Model], list], Iterable[str]]) -> None:
    """``hook(model, ids)`` names more caches to invalidate when those items change."""
    if hook not in _change_hooks:
        _change_hooks.append(hook)
