"""Comment moderation in the Wagtail admin: a list marketing filters, and remove or restore in bulk.

Whoever may moderate comments (``django_comments.can_moderate``, which Marketing holds) sees the
list; nobody adds comments there, and "remove" only hides a comment's text, so restoring
brings it back as it was.
"""

import django_filters
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils.functional import classproperty
from django.utils.text import Truncator
from django_comments_xtd.models import XtdComment
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from config.people import person_name

from .models import TipPage
from .reactions import shared_kinds

MODERATE = "django_comments.can_moderate"


class ModeratorsOnly(BasePermissionPolicy):
    """Moderators view comments and change whether they show; nobody adds or deletes them here."""

    def user_has_permission(self, user, action):
        return action in {"view", "change"} and user.is_active and user.has_perm(MODERATE)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        if not {"view", "change"} & set(actions):
            return get_user_model().objects.none()
        from django.db.models import Q

        return (
            get_user_model()
            .objects.filter(
                Q(is_superuser=True)
                | Q(
                    user_permissions__codename="can_moderate",
                    user_permissions__content_type__app_label="django_comments",
                )
                | Q(
                    groups__permissions__codename="can_moderate",
                    groups__permissions__content_type__app_label="django_comments",
                ),
                is_active=True,
            )
            .distinct()
        )

    def users_with_permission(self, action):
        return self.users_with_any_permission([action])


register_permission_policy(XtdComment, ModeratorsOnly(XtdComment))


def set_removed(comments, *, removed: bool) -> int:
    """Removes (hides the text of) or restores ``comments``; returns how many changed.

    Each is saved on its own so that the cards showing comment counts are refreshed.
    """
    changed = 0
    for comment in comments:
        if comment.is_removed != removed:
            comment.is_removed = removed
            comment.save(update_fields=["is_removed"])
            changed += 1
    return changed


def _commented_tips(request) -> QuerySet:
    tip_type = ContentType.objects.get_for_model(TipPage)
    ids = XtdComment.objects.filter(content_type=tip_type).values_list("object_pk", flat=True).distinct()
    return TipPage.objects.filter(pk__in=[int(pk) for pk in ids if pk.isdigit()]).order_by("title")


def _commenters(request) -> QuerySet:
    return (
        get_user_model()
        .objects.filter(pk__in=XtdComment.objects.values("user_id"))
        .order_by("first_name", "last_name", "username")
    )


def _kind_choices() -> list[tuple[str, str]]:
    return [
        (str(ContentType.objects.get_for_model(kind.model).pk), str(kind.model._meta.verbose_name_plural).capitalize())
        for kind in shared_kinds()
    ]


class CommentFilterSet(WagtailFilterSet):
    submit_date = django_filters.DateFromToRangeFilter(label="Posted", widget=DateRangePickerWidget)
    status = django_filters.ChoiceFilter(
        label="Status",
        choices=[("visible", "Visible"), ("removed", "Removed")],
        method="filter_status",
        empty_label="Any",
    )
    kind = django_filters.ChoiceFilter(label="On", choices=_kind_choices, method="filter_kind", empty_label="Anything")
    tip = django_filters.ModelChoiceFilter(label="Tip", queryset=_commented_tips, method="filter_tip")
    user = django_filters.ModelChoiceFilter(label="Author", queryset=_commenters)

    class Meta:
        model = XtdComment
        fields = []

    def filter_status(self, queryset, name, value):
        return queryset.filter(is_removed=value == "removed") if value else queryset

    def filter_kind(self, queryset, name, value):
        return queryset.filter(content_type_id=int(value)) if value else queryset

    def filter_tip(self, queryset, name, value):
        return queryset.filter(content_type=ContentType.objects.get_for_model(TipPage), object_pk=str(value.pk))


def _author(comment: XtdComment) -> str:
    user = comment.user
    return person_name(user) if user else comment.user_name


def _excerpt(comment: XtdComment) -> str:
    return Truncator(comment.comment).chars(90)


def _on_site(comment: XtdComment) -> str | None:
    target = comment.content_object
    return f"{target.get_absolute_url()}#c{comment.pk}" if target else None


def _about(comment: XtdComment) -> str:
    return str(comment.content_object) if comment.content_object else "(deleted)"


class CommentViewSet(SnippetViewSet):
    model = XtdComment
    icon = "comment"
    menu_label = "Comments"
    menu_name = "comments"
    add_to_admin_menu = True
    menu_order = 260
    url_prefix = "comments"
    filterset_class = CommentFilterSet
    list_display = [
        # The text links to the comment in its thread; the row's checkbox is described by it.
        TitleColumn(
            "comment",
            label="Comment",
            accessor=_excerpt,
            get_url=_on_site,
            get_title_id=lambda comment: f"snippet_{comment.pk}_title",
        ),
        Column("user", label="Author", accessor=_author),
        Column("content_object", label="On", accessor=_about),
        DateColumn("submit_date", label="Posted"),
        Column("is_removed", label="Status", accessor=lambda c: "Removed" if c.is_removed else "Visible"),
    ]
    ordering = ["-submit_date", "-pk"]
    search_fields = ["comment", "user_name"]
    list_per_page = 50
    # The edit view only shows or hides a comment; its text stays the author's.
    panels = [FieldPanel("is_removed", heading="Removed (its text no longer shows on the site)")]

    def get_queryset(self, request):
        # The thing each comment is about, one query per kind rather than one per row.
        return XtdComment.objects.select_related("user", "content_type").prefetch_related("content_object")


register_snippet(CommentViewSet)


class CommentBulkAction(SnippetBulkAction):
    """Removes or restores the selected comments, after the usual confirmation page."""

    template_name = "knowledge/admin/confirm_bulk_comments.html"
    removed: bool

    @classproperty
    def models(cls):
        return [XtdComment]

    def check_perm(self, comment):
        return self.request.user.has_perm(MODERATE)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "verb": self.display_name,
            "confirm": f"Yes, {self.display_name.lower()}",
        }

    @classmethod
    def execute_action(cls, objects, **kwargs):
        return set_removed(objects, removed=cls.removed), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        noun = "comment" if num_parent_objects == 1 else "comments"
        return f"{num_parent_objects} {noun} {self.done}."


# Registered after the snippets' own "delete" (order 0), so that for comments this action takes
# its place: a moderator removes a comment (its text stops showing), never deletes its thread.
@hooks.register("register_bulk_action", order=1)
class RemoveCommentsBulkAction(CommentBulkAction):
    display_name = "Remove"
    action_type = "delete"
    aria_label = "Remove the selected comments"
    action_priority = 10
    classes = {"serious"}
    removed = True
    done = "removed"


@hooks.register("register_bulk_action", order=1)
class RestoreCommentsBulkAction(CommentBulkAction):
    display_name = "Restore"
    action_type = "restore_comments"
    aria_label = "Restore the selected comments"
    action_priority = 20
    removed = False
    done = "restored"
