"""The comment routes the site uses, and no others.

comments-xtd's own URLconf also mounts a REST API, e-mail confirmation, muting, flagging,
approval and a redirect to any object by content type, each a way around Huddle's posting
limit, authorship or moderation; none is mounted.
"""

from django.urls import path
from django_comments.views import comments as comment_views
from django_comments.views import moderation
from django_comments_xtd import views as xtd_views

from . import views

urlpatterns = [
    # Posting goes through Huddle's checks, posting limit and authorship.
    path("post/", views.post_comment, name="comments-post-comment"),
    path("<int:comment_id>/edit/", views.comment_edit, name="comment_edit"),
    path("posted/", comment_views.comment_done, name="comments-comment-done"),
    path("like/<int:comment_id>/", xtd_views.like, name="comments-xtd-like"),
    path("liked/", xtd_views.like_done, name="comments-xtd-like-done"),
    path("dislike/<int:comment_id>/", xtd_views.dislike, name="comments-xtd-dislike"),
    path("disliked/", xtd_views.dislike_done, name="comments-xtd-dislike-done"),
    # Moderators remove a comment from its thread (the admin's list removes and restores many).
    path("delete/<int:comment_id>/", moderation.delete, name="comments-delete"),
    path("deleted/", moderation.delete_done, name="comments-delete-done"),
]
