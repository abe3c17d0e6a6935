"""Site views: thin wrappers that parse the request, call one function and render."""

import re

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from taggit.models import Tag
from wagtail.models import Site

from . import comments, feeds, microposts, sharing, viewcounts
from .forms import MicropostForm, TipForm, account_from_name
from .listings import StreamFilter, annotate_for, parse_cursor, stream
from .models import Account, Micropost, TipPage
from .ratelimit import RateLimited, check_post_rate, limit_valid_form, too_many_requests
from .reactions import ReactionRefused, author_id_of, shared_object, toggle_helpful
from .roles import is_marketing
from .tagging import normalise_tag
from .templatetags.knowledge_tags import helpful_url


def _is_htmx(request) -> bool:
    return bool(request.headers.get("HX-Request"))


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def _stream_context(request, filters: StreamFilter) -> dict:
    return {
        "stream": stream(
            filters=filters,
            before=parse_cursor(request.GET.get("before")),
            request=request,
        ),
        "more_url": "?before=",
    }


def _stream_page_or(request, template: str, context: dict):
    if _is_htmx(request) and request.GET.get("before"):
        template = "includes/stream_page.html"
    return render(request, template, context)


def account_detail(request, pk):
    account = get_object_or_404(Account, pk=pk)
    context = {"account": account, **_stream_context(request, StreamFilter(account=account))}
    return _stream_page_or(request, "knowledge/account_detail.html", context)


def tag_detail(request, slug):
    tag = Tag.objects.filter(slug=slug).first()
    if tag is None:
        # An old link (#Objection_Handling, or a merged duplicate's slug) finds the one tag.
        tag = Tag.objects.filter(name__iexact=normalise_tag(re.sub(r"_\d+$", "", slug))).first()
        if tag is None:
            raise Http404("No such tag")
        return redirect("tag_detail", tag.slug, permanent=True)
    context = {"tag": tag, **_stream_context(request, StreamFilter(tag=tag))}
    return _stream_page_or(request, "knowledge/tag_detail.html", context)


def profile(request, username):
    # Someone who left keeps a page: their tips still carry their name and link here.
    person = get_object_or_404(get_user_model(), username=username)
    context = {"person": person, **_stream_context(request, StreamFilter(author=person))}
    if person == request.user:
        context["waiting"] = list(TipPage.objects.filter(author=person, live=False).order_by("-pk")[:20])
    return _stream_page_or(request, "knowledge/profile.html", context)


# Comments


@require_POST
def post_comment(request):
    """The one way to post a comment (comments-xtd's own view does the saving).

    A forged or foreign form is refused before anything it names is loaded; over the posting
    limit, or on a form left open too long, the form comes back with the text kept.
    """
    from django_comments import get_form
    from django_comments.views.comments import post_comment as xtd_post_comment

    try:
        target = comments.comment_target(request.POST, request.user)
    except comments.CommentRefused as error:
        return render(request, "comments/refused.html", {"refused": str(error)}, status=400)
    data = comments.posting_data(request.POST, request.user)
    if comments.form_has_expired(data):
        form = get_form()(target, initial={"comment": data.get("comment", ""), "reply_to": data.get("reply_to", 0)})
        refused = "This page was open too long to post from."
        return render(request, "comments/preview.html", {"form": form, "refused": refused}, status=400)
    try:
        check_post_rate(request.user, action="comment")
    except RateLimited as error:
        form = get_form()(target, data=data)
        return too_many_requests(render(request, "comments/preview.html", {"form": form, "refused": str(error)}), error)
    request.POST = data
    with transaction.atomic():  # the comment and the notifications it causes are written together
        return xtd_post_comment(request)


def comment_edit(request, comment_id):
    """The comment's author changes its text; people it newly mentions are told."""
    from django_comments_xtd.models import XtdComment

    comment = get_object_or_404(XtdComment.objects.select_related("user", "content_type"), pk=comment_id)
    if not comments.can_edit_comment(request.user, comment):
        raise PermissionDenied("You can only edit your own comments.")
    target = comment.content_object
    form = comments.CommentEditForm(request.POST or None, initial={"comment": comment.comment})
    limited = None
    if request.method == "POST" and form.is_valid():
        try:
            check_post_rate(request.user, action="comment")
        except RateLimited as error:
            form.add_error(None, str(error))
            limited = error
        else:
            comments.edit_comment(comment, text=form.cleaned_data["comment"])
            messages.success(request, "Your comment was updated.")
            return redirect(f"{target.get_absolute_url()}#c{comment.pk}")
    context = {"form": form, "comment": comment, "target": target}
    response = render(request, "comments/edit.html", context, status=400 if form.errors else 200)
    return too_many_requests(response, limited) if limited else response


# Feeds


def feeds_page(request):
    """The person's private feed URLs; ?tag=, ?account= or ?person= adds that one's feed."""
    token = feeds.feed_token_for(request.user)
    tag = Tag.objects.filter(slug=request.GET.get("tag", "")).first()
    account_id = request.GET.get("account", "")
    account = Account.objects.filter(pk=account_id).first() if account_id.isdigit() else None
    person = get_user_model().objects.filter(username=request.GET.get("person", ""), is_active=True).first()
    urls = feeds.feed_urls(token, request, tag=tag, account=account, person=person)
    return render(request, "knowledge/feeds.html", {"feed_urls": urls, "token": token})


@require_POST
def feed_key_regenerate(request):
    feeds.feed_token_for(request.user).regenerate()
    messages.success(request, "Your feed key was replaced: the old feed URLs no longer work.")
    return redirect("feeds")


# Microposts


def _micropost_box(request, form, *, posted=None, status=200):
    context = {"micropost_form": form, "posted": posted}
    if posted is not None:
        annotate_for(request.user, [posted])
    return render(request, "includes/micropost_box.html", context, status=status)


@require_POST
def micropost_create(request):
    form = MicropostForm(request.POST)
    limited = limit_valid_form(form, request.user)
    if not form.is_valid():
        if _is_htmx(request):
            response = _micropost_box(request, form)  # htmx swaps only 2xx answers (and 429, see base.html)
        else:
            response = render(request, "knowledge/micropost_form.html", {"form": form}, status=400)
        return too_many_requests(response, limited) if limited else response
    post = microposts.post_micropost(
        author=request.user,
        text=form.cleaned_data["text"],
        account=account_from_name(form.cleaned_data["account_name"]),
    )
    if _is_htmx(request):
        return _micropost_box(request, MicropostForm(), posted=post)
    messages.success(request, "Posted.")
    return redirect(_safe_next(request, "/"))


def micropost_detail(request, pk):
    post = get_object_or_404(Micropost.objects.for_cards(), pk=pk)
    annotate_for(request.user, [post])
    return render(request, "knowledge/micropost_detail.html", {"post": post})


def micropost_edit(request, pk):
    post = get_object_or_404(Micropost.objects.select_related("author", "account"), pk=pk)
    if post.author_id != request.user.pk:
        raise PermissionDenied("You can only edit your own posts.")
    limited = None
    if request.method == "POST":
        form = MicropostForm(request.POST)
        limited = limit_valid_form(form, request.user, action="edit")
        if form.is_valid():
            microposts.edit_micropost(
                post,
                text=form.cleaned_data["text"],
                account=account_from_name(form.cleaned_data["account_name"]),
            )
            messages.success(request, "Your post was updated.")
            return redirect(post)
    else:
        form = MicropostForm(initial={"text": post.text, "account_name": post.account.name if post.account else ""})
    response = render(request, "knowledge/micropost_form.html", {"form": form, "post": post})
    return too_many_requests(response, limited) if limited else response


@require_POST
def micropost_delete(request, pk):
    post = get_object_or_404(Micropost, pk=pk)
    if post.author_id != request.user.pk and not request.user.has_perm("knowledge.delete_micropost"):
        raise PermissionDenied("You can only delete your own posts.")
    post.delete()
    if _is_htmx(request):
        return render(request, "includes/removed.html", {"message": "Post deleted."})
    messages.success(request, "Post deleted.")
    return redirect(_safe_next(request, "/"))


# Views


def _shared_object_or_404(request, content_type_id, object_id):
    """Shared content of any kind that the person may see; anything else is not found."""
    try:
        content_type = ContentType.objects.get_for_id(content_type_id)
    except ContentType.DoesNotExist as error:
        raise Http404 from error
    obj = shared_object(f"{content_type.app_label}.{content_type.model}", object_id, request.user)
    if obj is None:
        raise Http404
    return obj


@never_cache
@require_POST
def view_beacon(request, content_type_id, object_id):
    """The page's "I was shown" beacon: counts one view (see ``knowledge.viewcounts``)."""
    obj = _shared_object_or_404(request, content_type_id, object_id)
    return JsonResponse({"counted": viewcounts.count_view(request.user, obj)})


# Helpful marks


@require_POST
def helpful_toggle(request, content_type_id, object_id):
    """Marks or unmarks shared content the person may see; anything else is not found."""
    obj = _shared_object_or_404(request, content_type_id, object_id)
    error_message = None
    try:
        toggle_helpful(request.user, obj)
    except ReactionRefused as error:
        error_message = str(error)
    if _is_htmx(request):
        annotate_for(request.user, [obj])
        return render(
            request,
            "includes/helpful_button.html",
            {
                "obj": obj,
                "url": helpful_url(obj),
                "helpful_error": error_message,
                "own": author_id_of(obj) == request.user.pk,
            },
        )
    if error_message:
        messages.error(request, error_message)
    return HttpResponseRedirect(_safe_next(request, obj.get_absolute_url()))


# Accounts


def account_suggestions(request):
    """The <option>s of the account field's list: existing accounts matching what is typed."""
    text = request.GET.get("account_name", "")[:200]
    return render(request, "knowledge/account_options.html", {"accounts": Account.objects.matching(text)})


# Tips


def tip_create(request):
    limited = None
    if request.method == "POST":
        form = TipForm(request.POST)
        limited = limit_valid_form(form, request.user)
        if form.is_valid():
            result = sharing.share_tip(author=request.user, data=form.cleaned_data, site=Site.find_for_request(request))
            if result.needs_approval:
                messages.info(request, "Thanks! Your tip is waiting for approval by marketing.")
                return redirect("profile", username=request.user.username)
            messages.success(request, "Your tip is live.")
            return redirect(result.tip.url)
    else:
        form = TipForm(initial={"account_name": request.GET.get("account", "")[:200]})
    response = render(request, "knowledge/tip_form.html", {"form": form})
    return too_many_requests(response, limited) if limited else response


def tip_edit(request, pk):
    tip = get_object_or_404(TipPage, pk=pk)
    if tip.author_id != request.user.pk and not is_marketing(request.user):
        raise PermissionDenied("You can only edit your own tips.")
    limited = None
    if request.method == "POST":
        form = TipForm(request.POST)
        limited = limit_valid_form(form, request.user, action="edit")
        if form.is_valid():
            tip = sharing.edit_tip(tip, data=form.cleaned_data, user=request.user)
            messages.success(
                request,
                "Your changes are saved." if tip.live else "Your changes are saved and still waiting for approval.",
            )
            return redirect(tip.url if tip.live else reverse("profile", args=[request.user.username]))
    else:
        form = TipForm(initial=sharing.form_initial(tip.get_latest_revision_as_object()))
    response = render(
        request,
        "knowledge/tip_form.html",
        {"form": form, "tip": tip},
    )
    return too_many_requests(response, limited) if limited else response


@login_not_required
def favicon(request):
    """Browsers and feed readers ask for /favicon.ico whatever the page's <link rel="icon"> says.

    Resolved per request, not at import: with the manifest storage of production the hashed name
    exists only after collectstatic, and a URLconf that asks for it at import fails every check.
    """
    return redirect(static("favicon.svg"), permanent=True)
