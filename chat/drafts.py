"""A Slack message saved as a draft tip for the person who chose "Save as Huddle tip"."""

import re

from django.utils.text import slugify
from wagtail.coreutils import find_available_slug

from knowledge.models import TipIndexPage, TipPage
from knowledge.sharing import text_to_richtext

TITLE_LENGTH = 80


def plain_text(mrkdwn: str) -> str:
    """Slack's markup read as a person would: <url|label> -> label (url), <#C1|sales> -> #sales, *bold* -> bold."""
    text = re.sub(r"<(https?://[^|>]+)\|([^>]+)>", r"\2 (\1)", mrkdwn)
    text = re.sub(r"<#\w+\|([^>]+)>", r"#\1", text)
    text = re.sub(r"<([@#!][^>|]+)(?:\|[^>]*)?>", r"\1", text)
    text = re.sub(r"<(https?://[^>]+)>", r"\1", text)
    text = re.sub(r"(?<!\w)([*_~])([^*_~\n]+)\1(?!\w)", r"\2", text)  # *bold*, _italic_, ~struck~
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


def title_from(text: str) -> str:
    first = next((line.strip(" *_~>") for line in text.splitlines() if line.strip(" *_~>")), "")
    first = " ".join(first.split()) or "Tip saved from Slack"
    return first if len(first) <= TITLE_LENGTH else first[: TITLE_LENGTH - 1].rstrip() + "…"


def save_draft_tip(*, author, text: str, channel_name: str = "") -> TipPage:
    """Adds an unpublished tip under Tips, owned and authored by ``author``, with the message as its body."""
    body_text = plain_text(text) or "(The Slack message had no text.)"
    index = TipIndexPage.objects.get()
    title = title_from(body_text)
    tip = TipPage(
        title=title,
        draft_title=title,
        slug=find_available_slug(index, slugify(title)[:80] or "tip"),
        owner=author,
        author=author,
        live=False,
        summary=f"Saved from Slack #{channel_name}"[:255] if channel_name else "Saved from Slack",
        body=[("paragraph", text_to_richtext(body_text))],
    )
    index.add_child(instance=tip)
    tip.save_revision(user=author, log_action=True)
    return tip
