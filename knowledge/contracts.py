"""The one contract for shared content: who owns it, what account it is about, what kind it is,
how its card looks, which words are indexed and embedded, and how its caches are named.

A model declares the contract by mixing in ``SharedContent`` and setting its class attributes;
an app makes such a model take part (comments, helpful marks, the streams, the site search,
vectors, card caching) by calling ``register(...)`` from its own ``AppConfig.ready()``. Nothing
in Huddle finds an owner, an account or a kind by trying attribute names: it asks the contract.

Why a mixin and a registry, not a ``Protocol`` alone: the mixin puts the declaration on the
model, where a reader looks first, and gives every kind the same few methods with defaults read
from fields it names (a Protocol would leave each model to write them again). Some things are
asked of a *kind* rather than of an object (which models take comments, which fill the streams,
which have vectors), and another app must be able to add a kind without knowledge importing it:
that is the registry. A pitch submission declares the contract (its owner and activity verb)
without registering, because it is private to its challenge: no feed, search or comments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from config import caching

if TYPE_CHECKING:
    from django.db.models import Model, QuerySet


@dataclass(frozen=True)
class ContentKind:
    """What a kind of content is called: ``key`` in URLs and search filters, ``label`` on a card
    or a search result, ``plural`` for a list of them, and ``verb``, the leaderboard activity a
    share of it records (one of the leaderboard's share verbs, such as ``"shared_tip"``)."""

    key: str
    label: str
    plural: str
    verb: str


class SharedContent:
    """Mixed into a model that people share. Set the class attributes; override a method only
    when a field name cannot say it (a video with no uploader is owned by its presenter)."""

    content_kind: ClassVar[ContentKind]
    owner_field: ClassVar[str] = "author"  # the user who gets credit, and whose own item it is
    account_field: ClassVar[str | None] = "account"  # the Account it is about, or None
    # A TaggableManager whose tag names may name the account, when no account is set.
    account_tags_field: ClassVar[str | None] = None
    tags_field: ClassVar[str | None] = "tags"  # narrows a stream or a search to one tag
    time_field: ClassVar[str] = "created_at"  # when it was shared: the streams sort by it
    card_template: ClassVar[str]  # one item in the streams; rendered with ``item``
    card_shows_comment_count: ClassVar[bool] = True  # ``item.comment_count`` is counted for it
    # The listing caches (``config.caching`` names) a save or delete of one item invalidates;
    # its card is cached under ``config.caching.card_key`` and forgotten with them.
    cache_listings: ClassVar[tuple[str, ...]] = (caching.STREAM,)

    @classmethod
    def listed(cls) -> QuerySet:
        """What the streams and the site search list: override to leave out drafts or retired items."""
        return cls._default_manager.all()

    def shared_owner(self):
        return getattr(self, self.owner_field)

    def shared_owner_id(self) -> int | None:
        """The owner's key without loading the owner."""
        return getattr(self, f"{self.owner_field}_id")

    def shared_account_id(self) -> int | None:
        """The account this is about: the declared field, else a tag naming an account."""
        if self.account_field and (account_id := getattr(self, f"{self.account_field}_id")):
            return account_id
        if self.account_tags_field is None or self.pk is None:
            return None
        from .models import Account

        names = list(getattr(self, self.account_tags_field).names())
        return Account.objects.named_in(names).values_list("pk", flat=True).first() if names else None

    def indexed_text(self) -> str:
        """The words the site search cuts a result's snippet from (and embeds, by default)."""
        raise NotImplementedError(f"{type(self).__name__} declares no indexed_text()")

    def embedded_chunks(self) -> list[tuple]:
        """The ``(chunk, text[, start_seconds])`` pieces search by meaning embeds."""
        return [(0, self.indexed_text())]

    @property
    def feed_time(self):
        return getattr(self, self.time_field)


def declares(obj_or_model) -> bool:
    """Whether an object or model declares the contract."""
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    return issubclass(model, SharedContent)


def owner_of(obj):
    """The user who gets credit for ``obj``; None for anything that is not shared content."""
    return obj.shared_owner() if declares(obj) else None


def owner_id_of(obj) -> int | None:
    return obj.shared_owner_id() if declares(obj) else None


def account_id_of(obj) -> int | None:
    return obj.shared_account_id() if declares(obj) else None


def kind_of(obj_or_model) -> ContentKind | None:
    return obj_or_model.content_kind if declares(obj_or_model) else None


# The registry ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    """A registered kind: its model, what a user may see of it, and what it takes part in."""

    model: type[Model]
    visible_to: Callable[[object], QuerySet]
    embedded: bool


_registered: dict[str, Registration] = {}


def register(
    model: type[Model],
    *,
    visible_to: Callable[[object], QuerySet],
    stream: Callable | None = None,
    search: object | None = None,
    embedded: bool = True,
) -> None:
    """Makes ``model`` (which declares ``SharedContent``) shared content: it takes helpful marks
    and comments; its card fills the home, tag, account and profile streams
    and is forgotten when it changes; the site search finds it; with ``embedded``, search by
    meaning does too.

    ``visible_to(user)`` is every item the user may see. ``stream(filters)`` and ``search`` (a
    ``knowledge.sitesearch`` ``Kind``) replace the ones built from the contract, for a kind whose
    listing needs more (a tip's tags on its card, a video's presenter). Call it from
    ``AppConfig.ready()``.
    """
    if not declares(model):
        raise TypeError(f"{model.__name__} does not declare knowledge.contracts.SharedContent")
    # Each registry lives beside the code that reads it; these are imported here because this
    # module is imported by the models, before those modules can be.
    from . import listings
    from .semantic import receivers as vectors
    from .sitesearch import results as sitesearch

    _registered[model._meta.label_lower] = Registration(model, visible_to, embedded)
    caching.register_cached(model, listings=model.cache_listings)
    if embedded:
        vectors.connect(model)
    listings.register_stream_source(model.time_field)(stream or listings.contract_source(model))
    sitesearch.register_kind(search or sitesearch.contract_kind(model))


def registration(label_or_model) -> Registration | None:
    """The registration for a model or ``"app_label.model"`` (any case), or None."""
    label = label_or_model if isinstance(label_or_model, str) else label_or_model._meta.label_lower
    return _registered.get(label.lower())


def registrations() -> list[Registration]:
    return list(_registered.values())


def embedded_models() -> list[type[Model]]:
    """The registered models search by meaning embeds."""
    return [entry.model for entry in _registered.values() if entry.embedded]


def model_for_kind(key: str) -> type[Model] | None:
    """The registered model whose kind is ``key`` ("video"), or None."""
    return next((entry.model for entry in _registered.values() if entry.model.content_kind.key == key), None)
