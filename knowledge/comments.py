"""Comment threads (django-comments-xtd) for any content: two levels, likes, e-mail to authors."""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django_comments_xtd.models import DISLIKEDIT_FLAG, LIKEDIT_FLAG, XtdComment

from .notifications import absolute, notify
from .reactions import author_of


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
    """Top-level comments with their replies, and the count, in one query (plus the user)."""
    comments = (
        comments_for(obj)
        .select_related("user")
        .annotate(
            likes=Count("flags", filter=Q(flags__flag=LIKEDIT_FLAG), distinct=True),
            dislikes=Count("flags", filter=Q(flags__flag=DISLIKEDIT_FLAG), distinct=True),
            liked=Count(
                "flags", filter=Q(flags__flag=LIKEDIT_FLAG, flags__user_id=user.pk), distinct=True
            ),
            disliked=Count(
                "flags",
                filter=Q(flags__flag=DISLIKEDIT_FLAG, flags__user_id=user.pk),
                distinct=True,
            ),
        )
        .order_by("thread_id", "order")
    )
    threads: dict[int, ThreadItem] = {}
    roots: list[ThreadItem] = []
    count = 0
    for comment in comments:
        item = ThreadItem(
            comment, comment.likes, comment.dislikes, bool(comment.liked), bool(comment.disliked)
        )
        if not comment.is_removed:
            count += 1
        if comment.level == 0:
            threads[comment.thread_id] = item
            roots.append(item)
        elif comment.thread_id in threads:
            threads[comment.thread_id].replies.append(item)
    return roots, count


def _display_name(user) -> str:
    return (user.get_full_name() or user.username) if user else "Someone"


def notify_about_comment(comment: XtdComment) -> None:
    """E-mails the content's author, and the parent comment's author when this is a reply."""
    target = comment.content_object
    commenter = comment.user
    name = _display_name(commenter)
    title = str(target)
    link = absolute(f"{target.get_absolute_url()}#c{comment.pk}")
    author = author_of(target)
    if author is not None and author != commenter:
        notify(
            [author],
            f"{name} commented on “{title}”",
            f"{name} commented on your post “{title}”:\n\n{comment.comment}\n\nReply: {link}\n",
        )
    if comment.level > 0:
        parent = XtdComment.objects.select_related("user").filter(pk=comment.parent_id).first()
        if parent and parent.user and parent.user not in (commenter, author):
            notify(
                [parent.user],
                f"{name} replied to your comment on “{title}”",
                f"{name} replied to your comment on “{title}”:\n\n"
                f"{comment.comment}\n\nSee it: {link}\n",
            )
