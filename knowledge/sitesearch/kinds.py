"""Knowledge's own searchable kinds: account tips and microposts."""

from django.utils.text import Truncator

from .searching import Hit, Kind, register_kind


def stream_text(value) -> str:
    """The plain words of a StreamField value, for snippets and meaning vectors.

    Each block gives its own searchable content, as Wagtail indexes it: rich text has its
    tags stripped and its entities decoded ("Don&#x27;t" is "Don't"), so the snippet that
    escapes it does so once. Plain text blocks are taken as typed.
    """
    return " ".join(part for part in value.stream_block.get_searchable_content(value) if part)


def _tips():
    from knowledge.models import TipPage

    return TipPage.objects.listed().select_related("author", "account")


def _describe_tip(tip, request) -> Hit:
    return Hit(kind="tip", kind_label="Tip", obj=tip, title=tip.title, url=tip.get_url(request), author=tip.author,
               account=tip.account, date=tip.first_published_at, helpful_count=tip.helpful_count,
               stale=tip.is_stale)


def _tip_text(tip) -> str:
    return f"{tip.summary} {stream_text(tip.body)}"


def _microposts():
    from knowledge.models import Micropost

    return Micropost.objects.select_related("author", "account")


def _describe_micropost(post, request) -> Hit:
    return Hit(kind="micropost", kind_label="Micropost", obj=post, title=Truncator(post.text).chars(80),
               url=post.get_absolute_url(), author=post.author, account=post.account, date=post.created_at,
               helpful_count=post.helpful_count)


def register() -> None:
    register_kind(Kind("tip", "Tips", _tips, _describe_tip, _tip_text, date_field="first_published_at"))
    register_kind(Kind("micropost", "Microposts", _microposts, _describe_micropost, lambda post: post.text,
                       date_field="created_at"))
