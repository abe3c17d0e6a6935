"""Sharing and editing tips from the site: the form's fields become a Wagtail page and its body."""

import re
from contextlib import nullcontext
from dataclasses import dataclass
from html import unescape

from django.db import transaction
from django.utils import timezone
from django.utils.html import escape, strip_tags
from django.utils.text import slugify
from wagtail.coreutils import find_available_slug
from wagtail.rich_text import RichText
from wagtail.signal_handlers import disable_reference_index_auto_update

from .forms import account_from_name
from .models import KnowledgeSettings, TipIndexPage, TipPage

# Blocks the site form edits; any other block (quotes, links added in the admin) is kept as it is.
FORM_BLOCKS = {"paragraph", "talk_track", "objection", "checklist"}


@dataclass
class ShareResult:
    tip: TipPage
    needs_approval: bool


def text_to_richtext(text: str) -> RichText:
    """Plain text to paragraphs of escaped HTML: nothing a rep types is ever run as markup."""
    paragraphs = [part.strip() for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]
    return RichText("".join(f"<p>{escape(part).replace(chr(10), '<br/>')}</p>" for part in paragraphs))


def richtext_to_text(html: str) -> str:
    html = re.sub(r"<br\s*/?>", "\n", html)
    html = re.sub(r"</p>\s*", "\n\n", html)
    return unescape(strip_tags(html)).strip()


def body_from_form(data: dict) -> list[tuple[str, object]]:
    blocks: list[tuple[str, object]] = [("paragraph", text_to_richtext(data["body"]))]
    if data.get("talk_track"):
        blocks.append(("talk_track", data["talk_track"].strip()))
    if data.get("objection"):
        blocks.append(
            (
                "objection",
                {"objection": data["objection"].strip(), "response": data["response"].strip()},
            )
        )
    steps = [line.strip(" -*\t") for line in (data.get("checklist") or "").splitlines()]
    if any(steps):
        blocks.append(("checklist", [step for step in steps if step]))
    return blocks


def merged_body(body, data: dict) -> list[tuple[str, object]]:
    """The form's blocks put back where the tip had them; every other block stays in its place.

    The form shows the first talk track, objection and checklist and all paragraphs as one text:
    those are replaced in place (the later paragraphs are in the text, so they go), a kind the rep
    emptied is dropped, a new kind goes after the last one the form edits, and the rest (quotes,
    links, a second talk track added in the admin) is kept as it is.
    """
    new = dict(body_from_form(data))
    result: list[tuple[str, object]] = []
    seen: set[str] = set()
    insert_at = 0
    for block in body:
        kind = block.block_type
        if kind in FORM_BLOCKS and kind not in seen:
            seen.add(kind)
            if kind in new:
                result.append((kind, new[kind]))
                insert_at = len(result)
        elif kind != "paragraph":
            result.append((kind, block.value))
    added = [(kind, value) for kind, value in new.items() if kind not in seen]
    return result[:insert_at] + added + result[insert_at:]


def form_initial(tip: TipPage) -> dict:
    """The site form's fields, read back from a tip's body and fields."""
    initial = {
        "title": tip.title,
        "summary": tip.summary,
        "industry": tip.industry,
        "product": tip.product,
        "stage": tip.stage,
        "account_name": tip.account.name if tip.account else "",
        "tags": ", ".join(tag.name for tag in tip.tags.all()),
    }
    paragraphs = []
    for block in tip.body:
        if block.block_type == "paragraph":
            paragraphs.append(richtext_to_text(block.value.source))
        elif block.block_type == "talk_track" and "talk_track" not in initial:
            initial["talk_track"] = block.value
        elif block.block_type == "objection" and "objection" not in initial:
            initial["objection"], initial["response"] = (
                block.value["objection"],
                block.value["response"],
            )
        elif block.block_type == "checklist" and "checklist" not in initial:
            initial["checklist"] = "\n".join(block.value)
    initial["body"] = "\n\n".join(paragraphs)
    return initial


def _apply(tip: TipPage, data: dict, *, body: list | None = None) -> None:
    tip.title = tip.draft_title = data["title"]
    tip.summary = data.get("summary", "")
    tip.body = body if body is not None else body_from_form(data)
    tip.account = account_from_name(data.get("account_name", ""))
    tip.industry = data.get("industry") or (tip.account.industry if tip.account else "")
    tip.product = data.get("product", "")
    tip.stage = data.get("stage", "")
    tip.tags.set(data.get("tags", []))


@transaction.atomic
def share_tip(*, author, data: dict, site) -> ShareResult:
    """Adds a tip under Tips; publishes it at once, or starts moderation if marketing asks."""
    index = TipIndexPage.objects.get()
    tip = TipPage(owner=author, author=author, live=False)
    _apply(tip, data)
    tip.slug = find_available_slug(index, slugify(data["title"])[:80] or "tip")
    needs_approval = KnowledgeSettings.for_site(site).tips_need_approval
    # Published at once, the tip is saved three times (added, its revision, published): only the
    # last save queues Wagtail's reference index update. add_child has validated the tip.
    with nullcontext() if needs_approval else disable_reference_index_auto_update():
        index.add_child(instance=tip)
        revision = tip.save_revision(user=author, log_action=True, clean=False)
    workflow = tip.get_workflow() if needs_approval else None
    if workflow is not None:
        workflow.start(tip, author)
    else:
        # Reps have no admin publish permission: sharing from the site is what publishes their tip.
        revision.publish(user=author, skip_permission_checks=True)
        tip.refresh_from_db()
    return ShareResult(tip=tip, needs_approval=workflow is not None)


@transaction.atomic
def edit_tip(tip: TipPage, *, data: dict, user) -> TipPage:
    """Saves the author's changes as a revision and publishes it (or leaves it in moderation)."""
    tip = tip.get_latest_revision_as_object()
    _apply(tip, data, body=merged_body(tip.body, data))
    tip.edited_at = timezone.now()
    TipPage.objects.filter(pk=tip.pk).update(edited_at=tip.edited_at)
    publish = tip.live and not tip.workflow_in_progress
    with disable_reference_index_auto_update() if publish else nullcontext():  # publishing queues it
        revision = tip.save_revision(user=user, log_action=True)
    if publish:
        revision.publish(user=user, skip_permission_checks=True)
    tip.refresh_from_db()
    return tip
