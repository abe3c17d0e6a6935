"""The site search: one query over every kind of content, merged, faceted and logged.

Each kind of content (tips, microposts, and what other apps register, such as coaching
videos) is searched through modelsearch, so the same code runs on Whoosh, the database
backend or OpenSearch. Apps that knowledge must not import register their kinds here.
"""

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from modelsearch.backends import get_search_backend

from .highlight import highlight

MAX_CANDIDATES = 200  # per kind: ten pages of ten, enough to merge any page exactly
DATE_RANGES = {"week": ("Past week", 7), "month": ("Past month", 31), "year": ("Past year", 366)}


@dataclass
class Hit:
    kind: str
    kind_label: str
    obj: object
    title: str
    url: str
    snippet: str
    score: float = 0.0
    author: object = None
    account: object = None
    date: datetime.datetime | None = None
    helpful_count: int = 0
    stale: bool = False
    tags: list = field(default_factory=list)
    by_meaning: bool = False
    key: tuple = ()


@dataclass(frozen=True)
class Kind:
    """A kind of content the site search covers."""

    key: str
    label: str
    queryset: Callable[[], QuerySet]  # what a signed-in user may find: live, not retired
    describe: Callable[[object, str], Hit]  # one result, with its snippet for the query
    date_field: str
    tag_model_lookup: str | None = "tags__slug"
    filterable: tuple[str, ...] = ("account", "author")


KINDS: dict[str, Kind] = {}


def register_kind(kind: Kind) -> None:
    KINDS[kind.key] = kind


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


def _filtered(kind: Kind, filters: SearchFilters) -> QuerySet:
    queryset = kind.queryset()
    if filters.account and "account" in kind.filterable:
        queryset = queryset.filter(account=filters.account)
    if filters.author and "author" in kind.filterable:
        author = get_user_model().objects.filter(username=filters.author).values_list("pk", flat=True).first()
        queryset = queryset.filter(author=author) if author else queryset.none()
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


def search_site(query: str, *, filters: SearchFilters | None = None, page: int = 1,
                per_page: int = 10) -> SearchOutcome:
    """Searches every registered kind, merges by relevance and returns one page with facets."""
    filters = filters or SearchFilters()
    query = " ".join(query.split())[:200]
    page = max(1, min(page, MAX_CANDIDATES // per_page))
    wanted = page * per_page
    hits: list[Hit] = []
    kind_counts: dict[str, int] = {}
    account_counts: Counter = Counter()
    author_counts: Counter = Counter()
    backend = get_search_backend()
    for kind in KINDS.values():
        if filters.kinds and kind.key not in filters.kinds:
            continue
        results = backend.search(query, _filtered(kind, filters)).annotate_score("search_score")
        kind_counts[kind.key] = results.count()
        if not kind_counts[kind.key]:
            continue
        for obj in results[:max(wanted, 50)]:
            hit = kind.describe(obj, query)
            hit.kind, hit.kind_label = kind.key, kind.label
            hit.score = float(getattr(obj, "search_score", 0.0) or 0.0)
            hit.key = (kind.key, obj.pk)
            hits.append(hit)
        if getattr(results, "supports_facet", False):
            for field_name, counter in (("account", account_counts), ("author", author_counts)):
                if field_name in kind.filterable:
                    facet = results.facet(f"{field_name}_id")  # modelsearch facets by attname
                    counter.update({key: count for key, count in facet.items() if key})
    hits.sort(key=lambda hit: -hit.score)
    total = sum(kind_counts.values())
    suggestion = None
    if query and total < 3 and hasattr(backend, "suggest"):
        suggestion = backend.suggest(query)
        if suggestion and suggestion.lower() == query.lower():
            suggestion = None
    facets = _facets(filters, kind_counts, account_counts, author_counts, hits)
    start = (page - 1) * per_page
    return SearchOutcome(query=query, hits=hits[start:start + per_page], total=total, page=page,
                         per_page=per_page, facets=facets, suggestion=suggestion)


def _facets(filters, kind_counts, account_counts, author_counts, hits) -> dict[str, list[FacetValue]]:
    from knowledge.models import Account

    facets: dict[str, list[FacetValue]] = {
        "type": [FacetValue(key, KINDS[key].label, count, key in filters.kinds)
                 for key, count in kind_counts.items() if count or key in filters.kinds],
    }
    if not account_counts and not author_counts:  # a backend without facets: count the top results
        for hit in hits:
            if hit.account:
                account_counts[hit.account.pk] += 1
            if hit.author:
                author_counts[hit.author.pk] += 1
    top_accounts = dict(account_counts.most_common(8))
    names = dict(Account.objects.filter(pk__in=top_accounts).values_list("pk", "name"))
    facets["account"] = [FacetValue(str(pk), names[pk], count, filters.account == pk)
                         for pk, count in top_accounts.items() if pk in names]
    top_authors = dict(author_counts.most_common(8))
    people = {user.pk: user for user in get_user_model().objects.filter(pk__in=top_authors)}
    facets["author"] = [FacetValue(people[pk].username, people[pk].get_full_name() or people[pk].username, count,
                                   filters.author == people[pk].username)
                        for pk, count in top_authors.items() if pk in people]
    tag_counts: Counter = Counter()
    tag_names: dict[str, str] = {}
    for hit in hits:
        for tag in hit.tags:
            tag_counts[tag.slug] += 1
            tag_names[tag.slug] = tag.name
    facets["tag"] = [FacetValue(slug, tag_names[slug], count, filters.tag == slug)
                     for slug, count in tag_counts.most_common(10)]
    if filters.tag and filters.tag not in tag_counts:
        facets["tag"].insert(0, FacetValue(filters.tag, filters.tag, 0, True))
    now = timezone.now()
    facets["date"] = [
        FacetValue(key, label, sum(1 for hit in hits if hit.date and hit.date >= now - datetime.timedelta(days=days)),
                   filters.date == key)
        for key, (label, days) in DATE_RANGES.items()
    ]
    return facets


def snippet_for(text: str, query: str) -> str:
    return highlight(text, query)
