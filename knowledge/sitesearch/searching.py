"""The site search: one query over every kind of content, merged, faceted and logged.

Each kind of content (tips, microposts, and what other apps register, such as coaching
videos) is searched through modelsearch, so the same code runs on Whoosh, the database
backend or OpenSearch. Apps that knowledge must not import register their kinds here.
"""

import datetime
import functools
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from modelsearch.backends import get_search_backend

from knowledge.semantic import encoder as meaning_encoder
from knowledge.semantic.indexing import VIDEO, is_embedded
from knowledge.semantic.ranking import fuse
from knowledge.semantic.store import content_type_id_for, nearest_soon

from .highlight import highlight

MAX_CANDIDATES = 200  # per kind: ten pages of ten, enough to merge any page exactly
DATE_RANGES = {"week": ("Past week", 7), "month": ("Past month", 31), "year": ("Past year", 366)}
# Search by meaning: nearest neighbours asked for, before filters and permissions drop some.
MEANING_CANDIDATES = 20
MEANING_LIMIT = 5  # results found by meaning alone, at most
CONFIDENT_COUNT = 5  # this many keyword results: keyword order stands, meaning only appends
FILL_MIN_SCORE = 0.25  # cosine; see knowledge/semantic/ranking.py for how these were measured
CONFIDENT_FILL_MIN_SCORE = 0.5
FACET_CHUNK = 10_000  # matches' keys per facet query
FACET_SIZE = 8  # accounts and authors listed


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
    # One result without its snippet; the request (None outside a request) lets page URLs share one site lookup.
    describe: Callable[[object, HttpRequest | None], Hit]
    text: Callable[[object], str]  # the words a result's snippet is cut from
    date_field: str
    tag_model_lookup: str | None = "tags__slug"
    filterable: tuple[str, ...] = ("account", "author")
    # The tags a result shows: the name of its TaggableManager, read after the search for the loaded hits only.
    tags: str | None = "tags"


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


def search_site(query: str, *, filters: SearchFilters | None = None, page: int = 1, per_page: int = 10,
                request: HttpRequest | None = None) -> SearchOutcome:
    """Searches every registered kind, merges by relevance and returns one page with facets."""
    filters = filters or SearchFilters()
    query = " ".join(query.split())[:200]
    page = max(1, min(page, MAX_CANDIDATES // per_page))
    wanted = page * per_page
    loaded = wanted  # keyword hits described per kind: the page and those before it, merged by score
    hits: list[Hit] = []
    kind_counts: dict[str, int] = {}
    account_counts: Counter = Counter()
    author_counts: Counter = Counter()
    backend = get_search_backend()
    searched = []
    for kind in KINDS.values():
        if filters.kinds and kind.key not in filters.kinds:
            continue
        # Relevance orders the hits: the table's own order would only add a sort to loading them.
        results = backend.search(query, _filtered(kind, filters).order_by()).annotate_score("search_score")
        kind_counts[kind.key] = results.count()
        if kind_counts[kind.key]:
            searched.append((kind, results))
    keyword_total = sum(kind_counts.values())
    confident = keyword_total >= CONFIDENT_COUNT
    # Confident keyword results keep their order and meaning only adds after the last of them; when
    # there are more than this page loads, that place is on a later page, which searches by meaning then.
    meaning_kinds = _meaning_kinds(filters) if query and meaning_encoder.is_enabled() else {}
    if confident and any(count > loaded for count in kind_counts.values()):
        meaning_kinds = {}
    # Embedding the query and finding its nearest items overlap describing the keyword hits below.
    meaning = nearest_soon(query, models=list(meaning_kinds), k=MEANING_CANDIDATES,
                           min_score=FILL_MIN_SCORE) if meaning_kinds else None
    for kind, results in searched:
        objects = list(results[:loaded])
        kind_hits = [_described(kind, obj, request) for obj in objects]
        for hit, obj in zip(kind_hits, objects, strict=True):
            hit.score = float(getattr(obj, "search_score", 0.0) or 0.0)
        _load_tags(kind, kind_hits)
        hits.extend(kind_hits)
        if getattr(results, "supports_facet", False):
            counts = _facet_counts(kind, results, objects, every_match_loaded=len(objects) < loaded
                                   and len(objects) == kind_counts[kind.key])
            account_counts.update(counts.get("account", {}))
            author_counts.update(counts.get("author", {}))
    hits.sort(key=lambda hit: -hit.score)
    suggestion = _did_you_mean(backend, query, filters, keyword_total) if query else None
    if meaning is not None:
        hits = _with_meaning(meaning.result(), meaning_kinds, filters, hits, confident=confident, request=request)
    for hit in hits:
        if hit.by_meaning:  # facets and totals count what the page shows
            kind_counts[hit.kind] = kind_counts.get(hit.kind, 0) + 1
            if account_counts or author_counts:  # the backend counted facets: add the meaning-only hits
                if hit.account and "account" in KINDS[hit.kind].filterable:
                    account_counts[hit.account.pk] += 1
                if hit.author and "author" in KINDS[hit.kind].filterable:
                    author_counts[hit.author.pk] += 1
    total = sum(kind_counts.values())
    facets = _facets(filters, kind_counts, account_counts, author_counts, hits)
    start = (page - 1) * per_page
    shown = hits[start:start + per_page]
    for hit in shown:  # only the page's hits show a snippet
        hit.snippet = snippet_for(KINDS[hit.kind].text(hit.obj), query)
    return SearchOutcome(query=query, hits=shown, total=total, page=page, per_page=per_page, facets=facets,
                         suggestion=suggestion)


def _keyword_total(backend, query: str, filters: SearchFilters) -> int:
    """How many results the page finds by keyword for ``query``, over the kinds the filters leave."""
    return sum(backend.search(query, _filtered(kind, filters).order_by()).count()
               for kind in KINDS.values() if not filters.kinds or kind.key in filters.kinds)


def _did_you_mean(backend, query: str, filters: SearchFilters, shown: int) -> str | None:
    """The backend's rewrite of a query with words nobody wrote, if it finds more.

    More than the words as typed find (nothing, when the index lacks one of them) and no
    fewer than the page shows: the search already widens an unknown word to known ones,
    so a rewrite of a word spelled right ("went" to "want") finds no more and is not offered.
    """
    if not hasattr(backend, "suggest"):
        return None
    suggestion = backend.suggest(query)
    if not suggestion or suggestion.lower() == query.lower():
        return None
    knows_every_word = getattr(backend, "knows_every_word", None)
    as_typed = 0 if knows_every_word and not knows_every_word(query) else shown
    found = _keyword_total(backend, suggestion, filters)
    return suggestion if found > as_typed and found >= shown else None


def _described(kind: Kind, obj, request: HttpRequest | None) -> Hit:
    hit = kind.describe(obj, request)
    hit.kind = kind.key  # describe() gives the singular label shown on the card
    hit.key = (kind.key, obj.pk)
    return hit


def _load_tags(kind: Kind, hits: list[Hit]) -> None:
    """Each hit's tags, with one query for all of them.

    The query is the one ``prefetch_related(kind.tags)`` runs; its rows are handed out here
    instead of through a queryset built per object, which cost more than the query.
    """
    if not kind.tags or not hits:
        return
    manager = getattr(type(hits[0].obj), kind.tags)
    queryset, tag_owner, owner_key, *_rest = manager.get_prefetch_querysets([hit.obj for hit in hits])
    tags = defaultdict(list)
    for tag in queryset:
        tags[tag_owner(tag)].append(tag)
    for hit in hits:
        hit.tags = tags.get(owner_key(hit.obj), [])


def _facet_counts(kind: Kind, results, objects: list, *, every_match_loaded: bool) -> dict[str, Counter]:
    """How many of the kind's matches (all of them, not only those loaded) each account and author has.

    When every match is loaded they are counted here; otherwise with one query grouped by both.
    """
    fields = [name for name in ("account", "author") if name in kind.filterable]
    if not fields:
        return {}
    if every_match_loaded:
        return {name: Counter(key for obj in objects if (key := getattr(obj, f"{name}_id"))) for name in fields}
    compiler = results.query_compiler
    if not hasattr(compiler, "matching_pks") or compiler.is_match_none() or compiler.is_match_all():
        # Another backend, or no query: its facets, one field at a time (modelsearch facets by attname).
        return {name: Counter({key: count for key, count in results.facet(f"{name}_id").items() if key})
                for name in fields}
    pks = compiler.matching_pks(results.backend.store)
    queryset = compiler.queryset.order_by().prefetch_related(None)
    counts = {name: Counter() for name in fields}
    for offset in range(0, len(pks), FACET_CHUNK):
        rows = queryset.filter(pk__in=pks[offset:offset + FACET_CHUNK]).values_list(
            *(f"{name}_id" for name in fields)).annotate(count=Count("pk"))
        for *keys, count in rows:
            for name, key in zip(fields, keys, strict=True):
                if key:
                    counts[name][key] += count
    return counts


def _meaning_kinds(filters: SearchFilters) -> dict[type, Kind]:
    """The kinds searched whose content has vectors, by model."""
    kinds = {}
    for kind in KINDS.values():
        if filters.kinds and kind.key not in filters.kinds:
            continue
        model = _model_of(kind)
        if is_embedded(model):
            kinds[model] = kind
    return kinds


@functools.cache
def _model_of(kind: Kind) -> type:
    return kind.queryset().model


def _with_meaning(nearest_hits: list, kinds: dict[type, Kind], filters: SearchFilters, hits: list[Hit], *,
                  confident: bool, request: HttpRequest | None = None) -> list[Hit]:
    """Keyword hits fused with the nearest items by meaning, which pass the same filters and permissions.

    Items found by meaning alone are marked ``by_meaning``; when the keyword side is
    confident its order stands and only close neighbours are appended.
    """
    floor = CONFIDENT_FILL_MIN_SCORE if confident else FILL_MIN_SCORE
    candidates = [candidate for candidate in nearest_hits if candidate.score >= floor]
    if not candidates:
        return hits
    kind_of_type = {content_type_id_for(model): kind for model, kind in kinds.items()}
    keyword_keys = {hit.key for hit in hits}
    scores = {(kind_of_type[c.content_type_id].key, c.object_id): c.score for c in candidates}
    unseen = sorted((key for key in scores if key not in keyword_keys), key=lambda key: -scores[key])
    # The kind's own queryset and the filters decide what may be shown: live, not retired, permitted.
    # Only the best few can be shown, so only they are loaded; the next ones only if some of those may not be.
    shown: dict[tuple, object] = {}
    start = 0
    while len(shown) < MEANING_LIMIT and start < len(unseen):
        batch = unseen[start:start + MEANING_LIMIT - len(shown)]
        start += len(batch)
        for kind_key in dict.fromkeys(key for key, _ in batch):
            ids = [pk for key, pk in batch if key == kind_key]
            shown.update(((kind_key, obj.pk), obj) for obj in _filtered(KINDS[kind_key], filters).filter(pk__in=ids))
    found: dict[tuple, Hit] = {}
    chunks = {(kind_of_type[c.content_type_id].key, c.object_id): c.chunk for c in candidates}
    for kind_key in dict.fromkeys(key for key, _ in shown):
        kind = KINDS[kind_key]
        kind_hits = [_described(kind, obj, request) for key, obj in shown.items() if key[0] == kind_key]
        _load_tags(kind, kind_hits)
        for hit in kind_hits:
            hit.by_meaning, hit.score = True, scores[hit.key]
            found[hit.key] = hit
    _link_to_moments([hit for hit in found.values() if hit.obj._meta.label_lower == VIDEO], chunks)
    allowed = {key: score for key, score in scores.items() if key in keyword_keys or key in found}
    by_key = {hit.key: hit for hit in hits}
    fused = fuse([hit.key for hit in hits], allowed, keyword_scores=[hit.score for hit in hits],
                 limit=len(hits) + MEANING_LIMIT, confident_count=CONFIDENT_COUNT, fill_min_score=FILL_MIN_SCORE,
                 confident_fill_min_score=CONFIDENT_FILL_MIN_SCORE, meaning_limit=MEANING_LIMIT)
    return [found[item.key] if item.by_meaning else by_key[item.key] for item in fused]


def _link_to_moments(video_hits: list[Hit], chunks: dict[tuple, int]) -> None:
    """A video found by a transcript chunk links to the second that chunk starts."""
    from knowledge.semantic.models import Embedding

    wanted = {hit.obj.pk: chunks[hit.key] for hit in video_hits if chunks.get(hit.key)}
    if not wanted:
        return
    starts = {(object_id, chunk): start for object_id, chunk, start in Embedding.objects.filter(
        content_type_id=content_type_id_for(type(video_hits[0].obj)), object_id__in=list(wanted),
        chunk__in=set(wanted.values())).values_list("object_id", "chunk", "start_seconds")}
    for hit in video_hits:
        start = starts.get((hit.obj.pk, wanted.get(hit.obj.pk)))
        if start is not None:
            hit.url = f"{hit.url.split('#')[0]}#t={int(start)}"


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
    # The loaded hits carry most accounts and people the facets name; only the others are read.
    accounts = {hit.account.pk: hit.account for hit in hits if hit.account}
    people = {person.pk: person for hit in hits for person in (hit.author, getattr(hit.obj, "author", None))
              if isinstance(person, get_user_model())}
    top_accounts = _top(account_counts, accounts, lambda pks: Account.objects.filter(pk__in=pks),
                        lambda account: account.name)
    facets["account"] = [FacetValue(str(account.pk), account.name, count, filters.account == account.pk)
                         for account, count in top_accounts]
    top_authors = _top(author_counts, people, lambda pks: get_user_model().objects.filter(pk__in=pks).only(
        "username", "first_name", "last_name"), _person_label)
    facets["author"] = [FacetValue(person.username, _person_label(person), count, filters.author == person.username)
                        for person, count in top_authors]
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


def _top(counts: Counter, known: dict, load: Callable[[list], QuerySet], label: Callable[[object], str],
         size: int = FACET_SIZE) -> list[tuple[object, int]]:
    """The ``size`` most counted objects with their counts, equal counts by label.

    ``known`` holds objects already loaded, by primary key; ``load`` reads the others that may be shown.
    """
    ranked = counts.most_common()
    if len(ranked) > size:  # every key that ties with the last one shown competes for its place by label
        ranked = [(pk, count) for pk, count in ranked if count >= ranked[size - 1][1]]
    missing = [pk for pk, _count in ranked if pk not in known]
    found = {**known, **{obj.pk: obj for obj in load(missing)}} if missing else known
    shown = [(found[pk], count) for pk, count in ranked if pk in found]
    shown.sort(key=lambda item: (-item[1], label(item[0]).casefold(), item[0].pk))
    return shown[:size]


def _person_label(person) -> str:
    return person.get_full_name() or person.username


def snippet_for(text: str, query: str) -> str:
    return highlight(text, query)
