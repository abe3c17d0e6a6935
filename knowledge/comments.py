"""Comment threads (django-comments-xtd) on shared content: two levels, likes, e-mail to authors.

Every comment is posted through ``knowledge.views.post_comment``: the form's security hash is
checked before anything is loaded, only shared kinds the person may see take comments, the
posting limit applies, and the author is always the signed-in user.
"""

from collections import Counter
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.http import QueryDict
from django_comments.forms import CommentSecurityForm
from django_comments.models import CommentFlag
from django_comments_xtd.models import DISLIKEDIT_FLAG, LIKEDIT_FLAG, XtdComment

from config.people import person_name

from . import signals
from .microposts import notify_mentions
from .reactions import author_of, shared_object


class CommentRefused(Exception):
    """A comment post about nothing commentable: a forged form, or content the person cannot see."""


class _PostedSecurityForm(CommentSecurityForm):
    """Checks a posted form's hash and age from its fields alone, before loading what it names."""

    def __init__(self, data):
        forms.Form.__init__(self, data=data)


def comment_target(data: QueryDict, user):
    """The content a posted comment form is about.

    Raises CommentRefused unless the form's security hash matches its content type and key (so
    a forged form names nothing), and the content is a shared kind that ``user`` may see.
    """
    security = _PostedSecurityForm(data)
    security.is_valid()
    if "security_hash" in security.errors or any(name in security.errors for name in ("content_type", "object_pk")):
        raise CommentRefused("This comment form is not one Huddle made.")
    if data.get("honeypot"):  # a field people never see: only a robot fills it in
        raise CommentRefused("This comment looked automated.")
    target = shared_object(data["content_type"], data["object_pk"], user)
    if target is None:
        raise CommentRefused("This content does not take comments.")
    return target


def form_has_expired(data: QueryDict) -> bool:
    """Whether a genuine form was left open too long (its timestamp is over the limit)."""
    security = _PostedSecurityForm(data)
    return not security.is_valid() and "timestamp" in security.errors


def commenter(user) -> dict[str, str]:
    """The name and e-mail a comment by ``user`` carries (comments-xtd keeps both on the comment)."""
    # comments-xtd requires an address; someone without one is still the comment's author.
    return {"name": person_name(user)[:50], "email": user.email or "nobody@localhost"}


def posting_data(data: QueryDict, user) -> QueryDict:
    """The posted fields with the author's name and e-mail taken from ``user``, never the form.

    Follow-up e-mails from comments-xtd are off: Huddle tells authors and mentioned people itself.
    """
    posted = data.copy()
    for name, value in commenter(user).items():
        posted[name] = value  # replaces whatever the form sent (QueryDict.update would append)
    posted["url"] = ""
    posted.pop("followup", None)
    return posted


@dataclass
class ThreadItem:
    comment: XtdComment
    likes: int = 0
    dislikes: int = 0
    liked: bool = False
    disliked: bool = False
    replies: list["ThreadItem"] = field(default_factory=list)


def comments_for(obj):
    return XtdComment.objects.filter(
        content_type=ContentType.objects.get_for_model(obj),
        object_pk=str(obj.pk),
        site_id=settings.SITE_ID,
        is_public=True,
    )


def comment_thread(obj, user) -> tuple[list[ThreadItem], int]:
    """Top-level comments with their replies, and the count: one query, and one more for the
    likes when there are comments.

    One query counting the likes per comment (four filtered counts grouped over every column)
    cost more to build than both, and most content has no comment to count likes for.
    """
    # The manager also joins the content type, which the thread never reads.
    comments = list(comments_for(obj).select_related(None).select_related("user").order_by("thread_id", "order"))
    counts, mine = _votes([comment.pk for comment in comments], user)
    threads: dict[int, ThreadItem] = {}
    roots: list[ThreadItem] = []
    count = 0
    for comment in comments:
        pk = comment.pk
        item = ThreadItem(
            comment,
            counts[pk, LIKEDIT_FLAG],
            counts[pk, DISLIKEDIT_FLAG],
            (pk, LIKEDIT_FLAG) in mine,
            (pk, DISLIKEDIT_FLAG) in mine,
        )
        if not comment.is_removed:
            count += 1
        if comment.level == 0:
            threads[comment.thread_id] = item
            roots.append(item)
        elif comment.thread_id in threads:
            threads[comment.thread_id].replies.append(item)
    return roots, count


def _votes(comment_ids: list[int], user) -> tuple[Counter, set[tuple[int, str]]]:
    """Likes and dislikes per (comment, flag), and the ones ``user`` gave; no query without ids."""
    counts: Counter = Counter()
    mine: set[tuple[int, str]] = set()
    if not comment_ids:
        return counts, mine
    flags = CommentFlag.objects.filter(
        comment_id__in=comment_ids, flag__in=(LIKEDIT_FLAG, DISLIKEDIT_FLAG)
    ).values_list("comment_id", "flag", "user_id")
    # A user flags a comment a given way once (unique user, comment, flag): each row is a vote.
    for comment_id, flag, voter_id in flags:
        counts[comment_id, flag] += 1
        if voter_id == user.pk:
            mine.add((comment_id, flag))
    return counts, mine


def no_avatar(comment) -> str:
    """comments-xtd's avatar hook: Huddle shows initials, never an image from another host."""
    return ""


def notify_about_comment(comment: XtdComment) -> None:
    """Tells the content's author, the parent comment's author when this is a reply, and the
    people the comment @mentions (each once): ``commented`` and ``mentioned`` say who."""
    target = comment.content_object
    commenter = comment.user
    author = author_of(target)
    content_author = author if author is not None and author != commenter else None
    parent_author = None
    if comment.level > 0:
        parent = XtdComment.objects.select_related("user").filter(pk=comment.parent_id).first()
        if parent and parent.user and parent.user not in (commenter, author):
            parent_author = parent.user
    signals.commented.send(
        sender=XtdComment,
        comment=comment,
        target=target,
        commenter=commenter,
        content_author=content_author,
        parent_author=parent_author,
        url=_comment_url(comment),
    )
    _notify_mentions(comment, skip={commenter, content_author, parent_author} - {None})


def _comment_url(comment: XtdComment) -> str:
    return f"{comment.content_object.get_absolute_url()}#c{comment.pk}"


def _notify_mentions(comment: XtdComment, *, skip=()) -> None:
    notify_mentions(
        comment,
        comment.comment,
        author=comment.user,
        target=comment.content_object,
        url=_comment_url(comment),
        skip=skip,
    )


class CommentEditForm(forms.Form):
    comment = forms.CharField(
        label="Your comment",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write something first: a comment can't be empty."},
    )


def can_edit_comment(user, comment: XtdComment) -> bool:
    return comment.user_id == user.pk and comment.is_public and not comment.is_removed


@transaction.atomic
def edit_comment(comment: XtdComment, *, text: str) -> XtdComment:
    """Changes a comment's text; only people it never mentioned before are notified."""
    comment.comment = text.strip()
    comment.save(update_fields=["comment"])
    _notify_mentions(comment)
    return comment
