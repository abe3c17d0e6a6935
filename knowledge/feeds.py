"""Atom feeds: new tips for a signed-in reader, and private feeds a feed reader opens with a key.

A feed reader has no session, so each person's private feed URLs carry their ``FeedToken`` key;
regenerating the key revokes every URL with the old one. A private feed lists what the streams
list (tips, microposts, videos; everything about a tag, an account or a person), narrowed to
what the key's owner may see.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.contrib.sites.shortcuts import get_current_site
from django.contrib.syndication.views import Feed, add_domain
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from taggit.models import Tag
from wagtail.models import Page

from config.people import person_name

from . import contracts
from .listings import StreamFilter, stream_sources
from .models import Account, FeedToken, Micropost, TipPage
from .reactions import pages_visible_to, shared_kind

FEED_SIZE = 30


class LinksFromRequestFeed(Feed):
    """A feed whose links go to the address the reader used, not the Sites row.

    Django's feeds put the Sites framework's domain in front of every link (the feed's own
    "self" link included); that row is written once, at the first migrate, so
    ``make run PORT=8123`` or a proxy's host name got links to 127.0.0.1:8000.
    """

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        configured = add_domain(get_current_site(request).domain, "", request.is_secure())
        actual = request.build_absolute_uri("/").rstrip("/")
        if configured == actual:
            return feed

        def moved(url):
            return actual + url[len(configured) :] if url and url.startswith(configured + "/") else url

        for key in ("link", "feed_url", "id"):
            feed.feed[key] = moved(feed.feed.get(key))
        for item in feed.items:
            item["link"] = moved(item.get("link"))
            item["unique_id"] = moved(item.get("unique_id"))
        return feed


class LatestTipsFeed(LinksFromRequestFeed):
    feed_type = Atom1Feed
    title = "Huddle: new tips"
    subtitle = "Account tips shared by the team, newest first."
    link = "/tips/"

    def get_object(self, request):
        return request.user

    def items(self, user):
        visible = pages_visible_to(TipPage.objects.all(), user).values("pk")
        return (
            TipPage.objects.listed()
            .filter(pk__in=visible)
            .select_related("author", "account")
            .defer_streamfields()
            .order_by("-first_published_at")[:30]
        )

    def item_title(self, item: TipPage) -> str:
        return item.title

    def item_description(self, item: TipPage) -> str:
        return item.summary

    def item_link(self, item: TipPage) -> str:
        return item.url

    def item_author_name(self, item: TipPage) -> str:
        return person_name(item.author)

    def item_pubdate(self, item: TipPage):
        return item.first_published_at

    def item_updateddate(self, item: TipPage):
        return item.last_published_at

    def item_categories(self, item: TipPage):
        return [item.get_stage_display()] if item.stage else []


def feed_token_for(user) -> FeedToken:
    """The person's feed key, made on first use."""
    token, _ = FeedToken.objects.get_or_create(user=user)
    return token


def feed_owner(key: str):
    """The active person whose current feed key is ``key``, or None (revoked, unknown)."""
    token = FeedToken.objects.select_related("user").filter(key=key, user__is_active=True).first()
    return token.user if token else None


def feed_items(user, *, filters: StreamFilter | None = None, model=None, limit: int = FEED_SIZE) -> list:
    """The newest items the streams list for ``filters`` that ``user`` may see: one query per kind."""
    filters = filters or StreamFilter()
    items = []
    for source in stream_sources():
        queryset = source.items(filters)
        if model is not None and queryset.model is not model:
            continue
        kind = shared_kind(queryset.model._meta.label_lower)
        if kind is None:
            continue
        visible = queryset.filter(pk__in=kind.visible_to(user).values("pk"))
        items.extend(visible.order_by(f"-{source.time_field}", "-pk")[:limit])
    items.sort(key=lambda item: item.feed_time, reverse=True)
    return items[:limit]


@dataclass
class FeedSubject:
    """What one private feed is about, and for whom."""

    user: object
    title: str
    link: str
    filters: StreamFilter = field(default_factory=StreamFilter)
    model: type | None = None


class PrivateFeed(LinksFromRequestFeed):
    """One person's feed of one kind or about one tag, account or person; opened with their key."""

    feed_type = Atom1Feed

    def get_object(self, request, key, kind, value=None):
        user = feed_owner(key)
        if user is None:
            raise Http404("No such feed")
        if kind == "tips":
            return FeedSubject(user, "Huddle: tips", "/tips/", model=TipPage)
        if kind == "microposts":
            return FeedSubject(user, "Huddle: posts", "/", model=Micropost)
        if kind == "videos":
            videos = contracts.model_for_kind("video")  # registered by coaching, which knowledge never imports
            if videos is None:
                raise Http404("No such feed")
            return FeedSubject(user, "Huddle: coaching videos", "/coaching/", model=videos)
        if kind == "tag":
            tag = Tag.objects.filter(slug=value).first()
            if tag is None:
                raise Http404("No such tag")
            return FeedSubject(
                user, f"Huddle: #{tag.name}", reverse("tag_detail", args=[tag.slug]), StreamFilter(tag=tag)
            )
        if kind == "account":
            account = get_object_or_404(Account, pk=value)
            return FeedSubject(
                user,
                f"Huddle: {account.name}",
                reverse("account_detail", args=[account.pk]),
                StreamFilter(account=account),
            )
        person = get_object_or_404(get_user_model(), username=value, is_active=True)
        return FeedSubject(
            user,
            f"Huddle: {person_name(person)}",
            reverse("profile", args=[person.username]),
            StreamFilter(author=person),
        )

    def title(self, subject: FeedSubject) -> str:
        return subject.title

    def link(self, subject: FeedSubject) -> str:
        return subject.link

    def subtitle(self, subject: FeedSubject) -> str:
        return f"Newest first; what {person_name(subject.user)} may see on Huddle."

    def items(self, subject: FeedSubject) -> list:
        return feed_items(subject.user, filters=subject.filters, model=subject.model)

    def item_title(self, item) -> str:
        return item.title if isinstance(item, Page) else f"Post by {person_name(item.author)}: {item}"

    def item_description(self, item) -> str:
        return getattr(item, "summary", "") if isinstance(item, Page) else item.text

    def item_link(self, item) -> str:
        return item.get_absolute_url()

    def item_author_name(self, item) -> str:
        return person_name(item.author)

    def item_pubdate(self, item):
        return item.feed_time


# Read by feed readers without a session: the key in the URL says whose feed it is.
private_feed = login_not_required(PrivateFeed())


def feed_urls(token: FeedToken, request, *, tag=None, account=None, person=None) -> list[tuple[str, str]]:
    """The person's private feed URLs (absolute, from the request's host) with their labels."""

    def url(kind, *args):
        return request.build_absolute_uri(reverse(f"private_feed_{kind}", args=[token.key, *args]))

    urls = [("Tips", url("tips")), ("Posts", url("microposts")), ("Coaching videos", url("videos"))]
    if tag is not None:
        urls.append((f"#{tag.name}", url("tag", tag.slug)))
    if account is not None:
        urls.append((account.name, url("account", account.pk)))
    if person is not None:
        urls.append((person_name(person), url("person", person.username)))
    return urls
