"""What the site search covers and returns: the registry of kinds, filters, hits and a page of results."""

import datetime
import operator
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

MAX_CANDIDATES = 200  # per kind: ten pages of ten, enough to merge any page exactly
DATE_RANGES = {"week": ("Past week", 7), "month": ("Past month", 31), "year": ("Past year", 366)}


@dataclass
class Hit:
    kind: str
    kind_label: str
    obj: object
    title: str
    url: str
    snippet: str = ""  # filled in for the hits on the page only
    score: float = 0.0
    author: object = None
    author_label: str = ""  # the author's name, with their username when another shown has the same
    byline: str = ""  # who the card names instead of the author, such as a video's outside presenter
    account: object = None
    date: datetime.datetime | None = None
    helpful_count: int = 0
    stale: bool = False
    tags: list = field(default_factory=list)
    by_meaning: bool = False
    key: tuple = ()
    titled: bool = True  # see Kind.titled


@dataclass(frozen=True)
class Kind:
    """A kind of content the site search covers."""

    key: str
    label: str
    queryset: Callable[[], QuerySet]  # what a signed-in user may find: live, not retired
    # One result without its snippet; the request (None outside a request) lets page URLs share one site lookup.
    describe: Callable[[object, HttpRequest | None], Hit]
    text: Callable[[object], str]  # the words a result's snippet is cut from
    date_field: str
    tag_model_lookup: str | None = "tags__slug"
    filterable: tuple[str, ...] = ("account", "author")
    # The model fields the account and author filters and facets read.
    account_field: str = "account"
    owner_field: str = "author"
    # The tags a result shows: the name of its TaggableManager, read after the search for the loaded hits only.
    tags: str | None = "tags"
    # False when the text is the whole item (a micropost): the result shows it once, not as title and snippet.
    titled: bool = True


KINDS: dict[str, Kind] = {}


def register_kind(kind: Kind) -> None:
    KINDS[kind.key] = kind


def contract_kind(model) -> Kind:
    """The search kind a model's ``knowledge.contracts.SharedContent`` declaration gives: its
    listed items, titled by ``str()``, linked by ``get_absolute_url()``, cut from ``indexed_text()``.

    Filtering by account and author, by date and by tag needs ``FilterField``s for those fields
    (and ``id``) in the model's ``search_fields``.
    """
    kind = model.content_kind
    related = [name for name in (model.owner_field, model.account_field) if name]

    def describe(obj, request) -> Hit:
        return Hit(
            kind=kind.key,
            kind_label=kind.label,
            obj=obj,
            title=str(obj),
            url=obj.get_absolute_url(),
            author=obj.shared_owner(),
            account=getattr(obj, model.account_field) if model.account_field else None,
            date=getattr(obj, model.time_field),
            helpful_count=getattr(obj, "helpful_count", 0) or 0,
        )

    return Kind(
        kind.key,
        kind.plural,
        lambda: model.listed().select_related(*related),
        describe,
        lambda obj: obj.indexed_text(),
        date_field=model.time_field,
        tag_model_lookup=f"{model.tags_field}__slug" if model.tags_field else None,
        filterable=("account", "author") if model.account_field else ("author",),
        account_field=model.account_field or "",
        owner_field=model.owner_field,
        tags=model.tags_field,
    )


@dataclass
class SearchFilters:
    kinds: list[str] = field(default_factory=list)
    tag: str = ""
    account: int | None = None
    author: str = ""
    date: str = ""

    @classmethod
    def from_query_dict(cls, data) -> "SearchFilters":
        account = data.get("account", "")
        return cls(
            kinds=[kind for kind in data.getlist("type") if kind in KINDS],
            tag=data.get("tag", "").strip()[:100],
            account=int(account) if account.isdigit() else None,
            author=data.get("author", "").strip()[:150],
            date=data.get("date", "") if data.get("date", "") in DATE_RANGES else "",
        )

    def allows(self, kind_key: str) -> bool:
        """Whether results of this kind are shown (every kind, when no type is chosen)."""
        return not self.kinds or kind_key in self.kinds

    @property
    def active(self) -> bool:
        return bool(self.kinds or self.tag or self.account or self.author or self.date)


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class SearchOutcome:
    query: str
    hits: list[Hit]
    total: int
    page: int
    per_page: int
    facets: dict[str, list[FacetValue]]
    suggestion: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-min(self.total, MAX_CANDIDATES) // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def filtered(kind: Kind, filters: SearchFilters) -> QuerySet:
    queryset = kind.queryset()
    if filters.account and "account" in kind.filterable:
        queryset = queryset.filter(**{kind.account_field: filters.account})
    if filters.author and "author" in kind.filterable:
        author = get_user_model().objects.filter(username=filters.author).values_list("pk", flat=True).first()
        queryset = queryset.filter(**{kind.owner_field: author}) if author else queryset.none()
    if filters.date:
        if not kind.date_field:
            return queryset.none()
        days = DATE_RANGES[filters.date][1]
        queryset = queryset.filter(**{f"{kind.date_field}__gte": timezone.now() - datetime.timedelta(days=days)})
    if filters.tag:
        if not kind.tag_model_lookup:
            return queryset.none()
        tagged = kind.queryset().filter(**{kind.tag_model_lookup: filters.tag}).values_list("pk", flat=True)
        queryset = queryset.filter(pk__in=list(tagged[:5000]))
    return queryset


def described(kind: Kind, obj, request: HttpRequest | None) -> Hit:
    hit = kind.describe(obj, request)
    hit.kind = kind.key  # describe() gives the singular label shown on the card
    hit.key = (kind.key, obj.pk)
    hit.titled = kind.titled
    return hit


def load_tags(kind: Kind, hits: list[Hit]) -> None:
    """Each hit's tags, with one query for all of them.

    The query is the one ``prefetch_related(kind.tags)`` runs, with only the columns a result
    shows; its rows are handed out here instead of through a queryset built per object, and
    without taggit's prefetch machinery, both of which cost more than the query.
    """
    if not kind.tags or not hits:
        return
    manager = getattr(type(hits[0].obj), kind.tags)
    through = manager.through
    tags = defaultdict(list)
    if any(f.name == "content_object" and f.is_relation for f in through._meta.get_fields()):
        tag_model = through.tag_model()
        owner = f"{through.tag_relname()}__content_object"
        rows = tag_model.objects.filter(**{f"{owner}__in": {hit.obj.pk for hit in hits}})
        for owner_pk, pk, name, slug in rows.values_list(owner, "pk", "name", "slug").distinct():
            tags[owner_pk].append(tag_model(pk=pk, name=name, slug=slug))
        owner_key = operator.attrgetter("pk")
    else:  # a generic through model (content type and object id): taggit's own prefetch query
        queryset, tag_owner, owner_key, *_rest = manager.get_prefetch_querysets([hit.obj for hit in hits])
        for tag in queryset:
            tags[tag_owner(tag)].append(tag)
    for hit in hits:
        hit.tags = tags.get(owner_key(hit.obj), [])
