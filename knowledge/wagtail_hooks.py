"""Admin for marketing: microposts, tip curation (verify, retire), the dashboard's review panels."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.admin.views.pages.bulk_actions.page_bulk_action import PageBulkAction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .curation import RetireForm, retire_tips, verify_tips
from .models import Micropost, TipPage
from .roles import is_marketing

REVIEW_PANEL_SIZE = 20
RECENT_COMMENTS_SIZE = 10


class MicropostViewSet(SnippetViewSet):
    model = Micropost
    icon = "comment"
    menu_label = "Microposts"
    list_display = ["text", "author", "account", "created_at"]
    list_filter = ["account"]
    search_fields = ["text"]
    ordering = ["-created_at"]
    add_to_admin_menu = True
    menu_order = 250


register_snippet(MicropostViewSet)


class TipsToReviewPanel(Component):
    """Tips past their "verified until" date and tips never verified, with verify and retire buttons."""

    name = "tips_to_review"
    template_name = "knowledge/admin/tips_to_review.html"
    order = 90

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        stale = TipPage.objects.stale().select_related("author").defer_streamfields()
        unverified = TipPage.objects.unverified().select_related("author").defer_streamfields()
        context.update(
            {
                "tips": stale[:REVIEW_PANEL_SIZE],
                "total": stale.count(),
                "unverified": unverified[:REVIEW_PANEL_SIZE],
                "unverified_total": unverified.count(),
                "request": parent_context["request"],
                "csrf_token": parent_context["csrf_token"],
            }
        )
        return context


class RecentCommentsPanel(Component):
    """The latest comments on anything, newest first, each linked to where it was written."""

    name = "recent_comments"
    template_name = "knowledge/admin/recent_comments.html"
    order = 95

    def get_context_data(self, parent_context):
        from django_comments_xtd.models import XtdComment

        context = super().get_context_data(parent_context)
        context["comments"] = list(
            XtdComment.objects.filter(is_public=True, is_removed=False)
            .select_related("user")
            .prefetch_related("content_object")
            .order_by("-submit_date")[:RECENT_COMMENTS_SIZE]
        )
        return context


@hooks.register("construct_homepage_panels")
def add_marketing_panels(request, panels):
    if is_marketing(request.user):
        panels.append(TipsToReviewPanel())
        panels.append(RecentCommentsPanel())


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("wagtailadmin_home")


def _back(request):
    return redirect(_next_url(request))


def _can_curate(request, tip: TipPage) -> bool:
    return tip.permissions_for_user(request.user).can_publish()


@require_POST
def verify_view(request, pk):
    tip = get_object_or_404(TipPage, pk=pk)
    if not _can_curate(request, tip):
        raise PermissionDenied
    verify_tips([tip])
    messages.success(request, f"“{tip.title}” is verified again.")
    return _back(request)


def retire_view(request, pk):
    """Asks "Retire this tip?" and which tip replaces it; retires on the confirming POST."""
    tip = get_object_or_404(TipPage, pk=pk)
    if not _can_curate(request, tip):
        raise PermissionDenied
    form = RetireForm(request.POST if request.method == "POST" else None, retiring=[tip.pk])
    if request.method == "POST" and form.is_valid():
        replacement = form.cleaned_data["replaced_by"]
        retire_tips([tip], replaced_by=replacement)
        pointer = f" Readers are sent to “{replacement.title}”." if replacement else ""
        messages.success(request, f"“{tip.title}” is retired: it left feeds and search.{pointer}")
        return _back(request)
    return TemplateResponse(
        request,
        "knowledge/admin/confirm_retire.html",
        {"tip": tip, "form": form, "next_url": _next_url(request), "header_title": "Retire tip"},
    )


class RetireTipButton(PageMenuItem):
    """ "Retire" beside a live tip's other actions: opens the confirmation with "Replaced by"."""

    label = "Retire"
    icon_name = "bin"
    url_name = "knowledge_tip_retire"

    def is_shown(self, user):
        page = self.page
        return (
            isinstance(page, TipPage)
            and page.live
            and not page.retired
            and page.permissions_for_user(user).can_publish()
        )


@hooks.register("register_page_header_buttons")
def retire_in_page_header(page, user, view_name, next_url=None):
    yield RetireTipButton(page=page, next_url=next_url, priority=62)


@hooks.register("register_page_listing_more_buttons")
def retire_in_page_listing(page, user, next_url=None):
    yield RetireTipButton(page=page, next_url=next_url, priority=42)


@hooks.register("register_admin_urls")
def curation_urls():
    curate = permission_required("wagtailadmin.access_admin")
    return [
        path("knowledge/tips/<int:pk>/verify/", curate(verify_view), name="knowledge_tip_verify"),
        path("knowledge/tips/<int:pk>/retire/", curate(retire_view), name="knowledge_tip_retire"),
    ]


class TipCurationBulkAction(PageBulkAction):
    """Acts on the selected tips only; other page types in the selection are left alone."""

    template_name = "knowledge/admin/confirm_bulk_curation.html"

    def check_perm(self, page):
        return page.permissions_for_user(self.request.user).can_publish()

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "verb": self.verb}

    @classmethod
    def tips_in(cls, objects):
        return list(TipPage.objects.filter(pk__in=[page.pk for page in objects]))

    def get_success_message(self, num_parent_objects, num_child_objects):
        return f"{num_parent_objects} tip{'s' if num_parent_objects != 1 else ''} {self.past}."


@hooks.register("register_bulk_action")
class VerifyTipsBulkAction(TipCurationBulkAction):
    display_name = "Verify"
    action_type = "verify_tips"
    aria_label = "Verify the selected tips"
    verb, past = "verify", "verified"
    action_priority = 60

    @classmethod
    def execute_action(cls, objects, **kwargs):
        return verify_tips(cls.tips_in(objects)), 0


@hooks.register("register_bulk_action")
class RetireTipsBulkAction(TipCurationBulkAction):
    display_name = "Retire"
    action_type = "retire_tips"
    aria_label = "Retire the selected tips"
    verb, past = "retire", "retired"
    action_priority = 61

    template_name = "knowledge/admin/confirm_bulk_retire.html"
    form_class = RetireForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "retiring": self.request.GET.getlist("id")}

    def get_execution_context(self):
        return {"replaced_by": self.cleaned_form.cleaned_data["replaced_by"]}

    @classmethod
    def execute_action(cls, objects, replaced_by=None, **kwargs):
        return retire_tips(cls.tips_in(objects), replaced_by=replaced_by), 0


@hooks.register("construct_help_menu")
def keep_help_in_huddle(request, menu_items):
    """Wagtail's release notes and editor guide are Wagtail's branding, on wagtail.org."""
    menu_items[:] = [item for item in menu_items if not item.name.startswith(("whats-new-in-wagtail", "editor-guide"))]


from . import comment_moderation  # noqa: E402, F401 - the comment list and its bulk actions register themselves
