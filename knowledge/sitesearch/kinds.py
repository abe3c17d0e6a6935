"""Knowledge's own searchable kinds: account tips and microposts (``knowledge.apps`` registers
them with their models through ``knowledge.contracts.register``)."""

from django.utils.text import Truncator

from .results import Hit, Kind


def _tips():
    from knowledge.models import TipPage

    return TipPage.objects.listed().select_related("author", "account")


def _describe_tip(tip, request) -> Hit:
    return Hit(
        kind="tip",
        kind_label="Tip",
        obj=tip,
        title=tip.title,
        url=tip.get_url(request),
        author=tip.author,
        account=tip.account,
        date=tip.first_published_at,
        helpful_count=tip.helpful_count,
        stale=tip.is_stale,
    )


def _microposts():
    from knowledge.models import Micropost

    return Micropost.objects.select_related("author", "account")


def _describe_micropost(post, request) -> Hit:
    return Hit(
        kind="micropost",
        kind_label="Micropost",
        obj=post,
        title=Truncator(post.text).chars(80),
        url=post.get_absolute_url(),
        author=post.author,
        account=post.account,
        date=post.created_at,
        helpful_count=post.helpful_count,
    )


def tip_kind() -> Kind:
    return Kind("tip", "Tips", _tips, _describe_tip, lambda tip: tip.indexed_text(), date_field="first_published_at")


def micropost_kind() -> Kind:
    return Kind(
        "micropost",
        "Microposts",
        _microposts,
        _describe_micropost,
        lambda post: post.indexed_text(),
        date_field="created_at",
        titled=False,
    )
