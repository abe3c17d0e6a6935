"""The facets beside the results: counts by type, account, author, tag and date."""

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable

from django.contrib.auth import get_user_model
from django.utils import timezone

from config.people import person_name
from knowledge import contracts

from .results import DATE_RANGES, KINDS, FacetValue, Hit, Kind

FACET_SIZE = 8  # accounts and authors listed


def facet_counts(kind: Kind, results, objects: list, *, every_match_loaded: bool) -> dict[str, Counter]:
    """How many of the kind's matches (all of them, not only those loaded) each account and author has.

    When every match is loaded they are counted here; otherwise by the backend's facets, which
    the Whoosh backend counts in the index without loading the matches.
    """
    fields = {
        name: field
        for name, field in (("account", kind.account_field), ("author", kind.owner_field))
        if name in kind.filterable
    }
    if every_match_loaded:
        return {
            name: Counter(key for obj in objects if (key := getattr(obj, f"{field}_id")))
            for name, field in fields.items()
        }
    return {
        name: Counter({key: count for key, count in results.facet(f"{field}_id").items() if key})
        for name, field in fields.items()
    }


def facets_for(filters, kind_counts, account_counts, author_counts, hits) -> dict[str, list[FacetValue]]:
    from knowledge.models import Account

    facets: dict[str, list[FacetValue]] = {
        "type": [
            FacetValue(key, KINDS[key].label, count, key in filters.kinds)
            for key, count in kind_counts.items()
            if count or key in filters.kinds
        ],
    }
    # The loaded hits carry most accounts and people the facets name; only the others are read.
    accounts = {hit.account.pk: hit.account for hit in hits if hit.account}
    people = {
        person.pk: person
        for hit in hits
        for person in (hit.author, contracts.owner_of(hit.obj))
        if isinstance(person, get_user_model())
    }
    top_accounts = _top(
        account_counts,
        accounts,
        lambda pks: (
            Account(pk=pk, name=name) for pk, name in Account.objects.filter(pk__in=pks).values_list("pk", "name")
        ),
        lambda account: account.name,
    )
    facets["account"] = [
        FacetValue(str(account.pk), account.name, count, filters.account == account.pk)
        for account, count in top_accounts
    ]
    top_authors = _top(
        author_counts,
        people,
        _people,
        person_name,
    )
    facets["author"] = [
        FacetValue(person.username, person_name(person), count, filters.author == person.username)
        for person, count in top_authors
    ]
    tag_counts: Counter = Counter()
    tag_names: dict[str, str] = {}
    for hit in hits:
        for tag in hit.tags:
            tag_counts[tag.slug] += 1
            tag_names[tag.slug] = tag.name
    facets["tag"] = [
        FacetValue(slug, tag_names[slug], count, filters.tag == slug) for slug, count in tag_counts.most_common(10)
    ]
    if filters.tag and filters.tag not in tag_counts:
        facets["tag"].insert(0, FacetValue(filters.tag, filters.tag, 0, True))
    now = timezone.now()
    facets["date"] = [
        FacetValue(
            key,
            label,
            sum(1 for hit in hits if hit.date and hit.date >= now - datetime.timedelta(days=days)),
            filters.date == key,
        )
        for key, (label, days) in DATE_RANGES.items()
    ]
    facets["date"] = [facet for facet in facets["date"] if facet.count or facet.selected]
    return facets


def _people(pks: list):
    """People to name in the facets: only the columns a label needs, without a queryset's model loading."""
    user = get_user_model()
    rows = user.objects.filter(pk__in=pks).values_list("pk", "username", "first_name", "last_name")
    return (user(pk=pk, username=username, first_name=first, last_name=last) for pk, username, first, last in rows)


def _top(
    counts: Counter,
    known: dict,
    load: Callable[[list], Iterable],
    label: Callable[[object], str],
    size: int = FACET_SIZE,
) -> list[tuple[object, int]]:
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


def label_people(hits: list[Hit], author_facets: list[FacetValue]) -> None:
    """Names for the people a page shows, with their username where two of them share a name."""
    names = {facet.value: facet.label for facet in author_facets}
    names.update((hit.author.username, person_name(hit.author)) for hit in hits if hit.author)
    usernames_by_name = defaultdict(set)
    for username, name in names.items():
        usernames_by_name[name].add(username)

    def label(username: str, name: str) -> str:
        return f"{name} (@{username})" if len(usernames_by_name[name]) > 1 else name

    for facet in author_facets:
        facet.label = label(facet.value, facet.label)
    for hit in hits:
        if hit.author:
            hit.author_label = label(hit.author.username, person_name(hit.author))
