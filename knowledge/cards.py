"""Stream and tips-index cards, each rendered once for every reader and cached on its own.

A card reads the same for everyone but for two parts: the helpful button (marked by you or not,
your own item or not, the form's CSRF token) and a post's Edit and Delete controls. While a card
is rendered for the cache, ``{% helpful_button %}`` and ``{% post_actions %}`` leave a numbered
placeholder and note what they need; each request then fills the placeholders for its reader,
with one query for the reader's helpful marks.

A listing reads only which items its page shows (cached until its membership changes), then
takes each item's card from the cache and renders only the ones missing. A saved or deleted
page, post, comment or helpful mark forgets that one item's card (``config.caching``), so under
a steady stream of writes the other cards on a page stay rendered. View counts and "3 minutes
ago" may lag by up to a minute.
"""

import re
from dataclasses import dataclass
from types import SimpleNamespace

from django.core.cache import cache
from django.template import Context
from django.template.loader import get_template
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from config.caching import CARD_SECONDS, card_key

from .reactions import author_id_of, helpful_ids_for

PLACEHOLDER = re.compile(r"<!--huddle-personal:(\d+)-->")
_URL_MARKER, _COUNT_MARKER = "huddle-helpful-url", "huddle-helpful-count"


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


def render_cards(context: Context, listing) -> SafeString:
    """The cards of ``listing`` for this request's reader, each from the cache when it is there.

    ``listing`` has ``card_keys()`` (the page's items as ``(content type id, pk)``, in order) and
    ``fetch(keys)`` (``{key: object}`` with what a card shows, for the keys not cached).
    """
    keys = listing.card_keys()
    if not keys:
        return mark_safe("")
    request = context.get("request")
    host = request.get_host() if request is not None else ""
    names = {key: card_key(*key) for key in keys}
    stored = cache.get_many(list(names.values()))
    cards = {key: stored[name][host] for key, name in names.items() if host in stored.get(name, {})}
    missing = [key for key in keys if key not in cards]
    if missing:
        fresh = {}
        for key, obj in listing.fetch(missing).items():
            slots: list = []
            with context.push(item=obj, personal_slots=slots):
                html = get_template(obj.card_template).template.render(context)
            cards[key] = (html, slots)
            fresh[names[key]] = {**stored.get(names[key], {}), host: cards[key]}
        cache.set_many(fresh, CARD_SECONDS)
    shown = [cards[key] for key in keys if key in cards]
    fill = _filler(context, [slot for _, slots in shown for slot in slots])
    return mark_safe("".join(_filled(html, slots, fill) for html, slots in shown))


def _filled(html: str, slots: list, fill) -> str:
    return PLACEHOLDER.sub(lambda match: fill(slots[int(match[1])]), html) if slots else html


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
    """What fills each placeholder for this reader: one query for their marks among ``slots``."""
    user = reader(context)
    helpful = [slot for slot in slots if isinstance(slot, HelpfulSlot)]
    marked = helpful_ids_for(user, [(slot.content_type_id, slot.object_id) for slot in helpful])
    can_remove = SimpleLazyObject(lambda: user.has_perm("knowledge.delete_micropost"))
    # A page's buttons come in at most three shapes (marked, not marked, your own): each shape is
    # rendered once with markers for the link and the count, which each card then fills in.
    shapes: dict[tuple[bool, bool], str] = {}

    def button(slot: HelpfulSlot) -> str:
        shape = ((slot.content_type_id, slot.object_id) in marked, slot.author_id == user.pk)
        if shape not in shapes:
            obj = SimpleNamespace(helpful_count=_COUNT_MARKER, marked_helpful=shape[0])
            shapes[shape] = render_helpful_button(context, obj=obj, url=_URL_MARKER, own=shape[1])
        return shapes[shape].replace(_URL_MARKER, escape(slot.url)).replace(_COUNT_MARKER, str(slot.count))

    def fill(slot) -> str:
        if isinstance(slot, HelpfulSlot):
            return button(slot)
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
