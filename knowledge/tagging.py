"""One spelling per tag: "#Objection handling", "objection_handling" and "objection-handling" are one tag.

Every way a tag comes in (a tip's tag field, a post's #hashtag, a video's skills, the admin's tag
field through ``TAGGIT_TAGS_FROM_STRING``) goes through ``normalise_tag``. Existing duplicates are
merged by ``merge_duplicate_tags``, which the data migration runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from taggit.utils import _parse_tags

MAX_LENGTH = 100
_SEPARATORS = re.compile(r"[\s_\-]+")


def normalise_tag(name: str) -> str:
    """The one spelling of a tag: lower case, no leading #, words joined by single hyphens."""
    name = name.strip().lstrip("#").lower()
    return _SEPARATORS.sub("-", name).strip("-")


def normalise_tags(names: Iterable[str]) -> list[str]:
    """Each name's one spelling, in order, without repeats or empty names."""
    return list(dict.fromkeys(tag for tag in map(normalise_tag, names) if tag))


def tags_from_string(text: str) -> list[str]:
    """taggit's parser (commas, or spaces when there is no comma, quotes kept), then one spelling.

    ``TAGGIT_TAGS_FROM_STRING`` points here, so the Wagtail admin's tag field agrees with the site.
    """
    if "," not in text and '"' not in text:
        return normalise_tags([text])  # "objection handling" is one tag, not two
    return normalise_tags(_parse_tags(text))


def tagged_item_models(tag_model) -> list:
    """Every model that ties a tag to an item (tips, posts, videos, taggit's generic TaggedItem)."""
    return [relation.related_model for relation in tag_model._meta.related_objects if relation.field.name == "tag"]


def _item_key(through) -> tuple[str, ...]:
    """The columns that name the tagged item: its own key, or content type and object id."""
    names = {field.attname for field in through._meta.concrete_fields}
    return ("content_object_id",) if "content_object_id" in names else ("content_type_id", "object_id")


def merge_duplicate_tags(tag_model, through_models: Iterable) -> int:
    """Merges tags whose names share one spelling into the oldest, renamed to that spelling.

    Items tagged with a duplicate move to the kept tag (an item that has both keeps one row);
    the duplicates are deleted. Takes the models as arguments so a migration can pass its own.
    Returns how many tags were deleted.
    """
    from django.utils.text import slugify

    groups: dict[str, list] = {}
    for tag in tag_model.objects.order_by("pk"):
        groups.setdefault(normalise_tag(tag.name) or tag.name, []).append(tag)
    through_models = list(through_models)
    deleted = 0
    for spelling, tags in groups.items():
        kept, duplicates = tags[0], tags[1:]
        duplicate_ids = [tag.pk for tag in duplicates]
        for through in through_models if duplicates else ():
            key = _item_key(through)
            already = set(through.objects.filter(tag=kept).values_list(*key))
            for row in through.objects.filter(tag_id__in=duplicate_ids).order_by("pk"):
                item = tuple(getattr(row, name) for name in key)
                if item in already:
                    row.delete()
                else:
                    already.add(item)
                    through.objects.filter(pk=row.pk).update(tag=kept)
        if duplicates:
            tag_model.objects.filter(pk__in=duplicate_ids).delete()
            deleted += len(duplicates)
        slug = slugify(spelling)
        if kept.name != spelling or kept.slug != slug:
            kept.name = spelling
            if not tag_model.objects.filter(slug=slug).exclude(pk=kept.pk).exists():
                kept.slug = slug  # "objection-handling_1" becomes "objection-handling" when free
            kept.save(update_fields=["name", "slug"])
    return deleted
