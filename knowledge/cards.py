"""Stream cards rendered once for every reader and kept in the cache until the content changes.

A card reads the same for everyone but for two parts: the helpful button (marked by you or not,
your own item or not, the form's CSRF token) and a post's Edit and Delete controls. While the
cards are rendered for the cache, ``{% helpful_button %}`` and ``{% post_actions %}`` leave a
numbered placeholder and note what they need; each request then fills the placeholders for its
reader, with one query for the reader's helpful marks. Any save of a page, post, comment or helpful
mark empties the cache (``receivers.cards_changed``); view counts and "3 minutes ago" may lag by
up to a minute.
"""

import re
from dataclasses import dataclass
from types import SimpleNamespace

from django.template import Context
from django.template.loader import get_template
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString, mark_safe

from .listings import cached
from .reactions import author_id_of, helpful_ids_for

PLACEHOLDER = re.compile(r"<!--huddle-personal:(\d+)-->")
CARDS_SECONDS = 60


@dataclass(frozen=True)
class HelpfulSlot:
    """What a helpful button needs besides the reader."""

    content_type_id: int
    object_id: int
    author_id: int | None
    count: int
    url: str


@dataclass(frozen=True)
class PostActionsSlot:
    """What a post's Edit and Delete controls need besides the reader."""

    object_id: int
    author_id: int


def defer(context: Context, slot) -> SafeString | None:
    """A placeholder for ``slot`` while cards render for the cache, else None (render it now)."""
    slots = context.get("personal_slots")
    if slots is None:
        return None
    slots.append(slot)
    return mark_safe(f"<!--huddle-personal:{len(slots) - 1}-->")


_cards_template = SimpleLazyObject(
    lambda: get_template("includes/stream_cards.html").template  # compiled once per process
)


def render_cards(context: Context, listing) -> SafeString:
    """The cards of ``listing`` for this request's reader, from the cache when it has them.

    ``listing`` has ``cache_name`` (what ``receivers.cards_changed`` invalidates when content it
    shows changes), ``cache_key`` (what its cards depend on besides the content), ``items``
    (fetched only on a miss), and ``cache_extra()`` / ``restore(extra)`` for what else a miss
    computes that the page needs (a stream's cursor to the next page).
    """

    def build() -> tuple[str, list, object]:
        slots: list = []
        with context.push(items=listing.items, personal_slots=slots):
            html = _cards_template.render(context)
        return html, slots, listing.cache_extra()

    html, slots, extra = cached(listing.cache_name, build, key=listing.cache_key, timeout=CARDS_SECONDS)
    listing.restore(extra)
    if not slots:
        return mark_safe(html)
    return mark_safe(PLACEHOLDER.sub(_filler(context, slots), html))


def reader(context: Context):
    """Who the page is rendered for."""
    request = context.get("request")
    return request.user if request is not None else context.get("user")


def render_helpful_button(context: Context, *, obj, url: str, own: bool) -> str:
    """The helpful toggle for ``obj`` (``helpful_count``, ``marked_helpful``) as this reader sees it."""
    data = {"obj": obj, "url": url, "own": own, **_form_context(context)}
    return get_template("includes/helpful_button.html").template.render(context.new(data))


def render_post_actions(context: Context, *, post, can_remove: bool) -> str:
    """A post's Edit, Delete or Remove controls (``post`` has ``pk`` and ``author_id``)."""
    data = {"item": post, "can_remove": can_remove, **_form_context(context)}
    return get_template("includes/post_actions.html").template.render(context.new(data))


def _form_context(context: Context) -> dict:
    return {"request": context.get("request"), "user": reader(context), "csrf_token": context.get("csrf_token")}


def _filler(context: Context, slots: list):
    user = reader(context)
    helpful = [slot for slot in slots if isinstance(slot, HelpfulSlot)]
    marked = helpful_ids_for(user, [(slot.content_type_id, slot.object_id) for slot in helpful])
    can_remove = SimpleLazyObject(lambda: user.has_perm("knowledge.delete_micropost"))

    def fill(match: re.Match) -> str:
        slot = slots[int(match.group(1))]
        if isinstance(slot, HelpfulSlot):
            obj = SimpleNamespace(
                helpful_count=slot.count,
                marked_helpful=(slot.content_type_id, slot.object_id) in marked,
            )
            return render_helpful_button(context, obj=obj, url=slot.url, own=slot.author_id == user.pk)
        if slot.author_id != user.pk and not can_remove:
            return ""
        post = SimpleNamespace(pk=slot.object_id, author_id=slot.author_id)
        return render_post_actions(context, post=post, can_remove=bool(can_remove))

    return fill


def helpful_slot(obj, url: str) -> HelpfulSlot:
    return HelpfulSlot(
        content_type_id=obj.content_type_id_for_reactions,
        object_id=obj.pk,
        author_id=author_id_of(obj),
        count=getattr(obj, "helpful_count", 0) or 0,
        url=url,
    )
