import datetime
import difflib
import operator
from functools import reduce

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, PageManager, PageViewRestriction, Revision
from wagtail.query import PageQuerySet
from wagtail.search import index
from wagtail.search.queryset import SearchableQuerySetMixin
from wagtail.snippets.models import register_snippet

from config import caching

from . import signals
from .blocks import TipBodyBlock, stream_text
from .contracts import ContentKind, SharedContent


class HuddlePage(Page):
    """Base for Huddle's pages: comments-xtd and feeds need ``get_absolute_url``."""

    class Meta:
        abstract = True

    def get_absolute_url(self):
        return self.get_url()

    def get_view_restrictions(self):
        """Wagtail looks for view restrictions on the page and its ancestors on every view (two
        queries); while no page has one, the cache says so (``signal_handlers`` forget it on a change)."""
        if not caching.cached(
            caching.VIEW_RESTRICTIONS, PageViewRestriction.objects.exists, timeout=caching.access_seconds()
        ):
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()


class HomePage(HuddlePage):
    """The feed: the micropost box, featured items and everything new."""

    max_count = 1
    subpage_types = ["knowledge.TipIndexPage", "coaching.CoachingIndexPage"]

    class Meta:
        verbose_name = "home page"

    def route(self, request, path_components):
        """A tip's URL (``tips/<slug>/``) in one query with its author and account: Wagtail's walk
        takes four (the index, its type, the tip, its type) and two more for author and account."""
        if len(path_components) == 2 and path_components[0] == self._tips_slug():
            tip = (
                TipPage.objects.select_related("author", "account")
                .filter(
                    slug=path_components[1],
                    depth=self.depth + 2,
                    path__startswith=self.path,
                    url_path=f"{self.url_path}{path_components[0]}/{path_components[1]}/",
                )
                .first()
            )
            if tip is not None:
                return tip.route(request, [])
        return super().route(request, path_components)

    def _tips_slug(self) -> str | None:
        """The tips index's slug (cached until a tips index is saved: ``signal_handlers``)."""
        return caching.cached(
            caching.TIPS_INDEX_SLUG,
            lambda: TipIndexPage.objects.child_of(self).values_list("slug", flat=True).first(),
            key=str(self.pk),
            timeout=3600,
        )

    def get_template(self, request, *args, **kwargs):
        if request.headers.get("HX-Request") and request.GET.get("before"):
            return "includes/stream_page.html"  # "load more" asks only for the next items
        return super().get_template(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from .forms import MicropostForm
        from .listings import featured_cached, parse_cursor, stream, trending_cached

        context = super().get_context(request, *args, **kwargs)
        before = parse_cursor(request.GET.get("before"))
        context["stream"] = stream(before=before, request=request)
        context["more_url"] = "?before="
        if before is None:
            context["featured_tips"], context["collections"] = featured_cached(request)
            context["trending"] = trending_cached(request)
            context["micropost_form"] = MicropostForm()
        return context


class TipIndexPage(HuddlePage):
    """The Tips section: every account tip lives below it."""

    max_count = 1
    parent_page_types = ["knowledge.HomePage"]
    subpage_types: list[str] = ["knowledge.TipPage"]

    class Meta:
        verbose_name = "tips index"

    def get_context(self, request, *args, **kwargs):
        from .listings import (
            TIP_SORTS,
            TIPS_PER_PAGE,
            CountCachedPaginator,
            TipCards,
            TipFilters,
            filtered_tips,
        )

        context = super().get_context(request, *args, **kwargs)
        filters = TipFilters(
            **{
                name: request.GET.get(name, "").strip()[:200]
                for name in ("tag", "account", "industry", "stage", "author", "sort")
            }
        )
        page = CountCachedPaginator(filtered_tips(filters), TIPS_PER_PAGE, key=repr(filters)).get_page(
            request.GET.get("page")
        )
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            {
                "tips": page,
                "tip_cards": TipCards(page, filters, request),
                "filters": filters,
                "sorts": TIP_SORTS,
                "stages": Stage.choices,
                "industries": INDUSTRY_CHOICES,
                "query_string": query.urlencode(),
            }
        )
        return context


class AccountQuerySet(SearchableQuerySetMixin, models.QuerySet):
    def named_in(self, names) -> "AccountQuerySet":
        """Accounts whose name is one of ``names``, ignoring case (a tag naming an account)."""
        return self.annotate(lower_name=Lower("name")).filter(lower_name__in=[name.lower() for name in names])

    def named(self, name: str) -> "Account | None":
        """The account with exactly this name, ignoring case and extra spaces."""
        return self.filter(name__iexact=" ".join(name.split())).first()

    def matching(self, text: str, *, limit: int = 8) -> list["Account"]:
        """Accounts to suggest while a name is typed: names starting with it first, then containing it."""
        text = " ".join(text.split())
        if not text:
            return []
        starting = list(self.filter(name__istartswith=text).order_by(Lower("name"))[:limit])
        containing = self.filter(name__icontains=text).exclude(pk__in=[a.pk for a in starting])
        return starting + list(containing.order_by(Lower("name"))[: limit - len(starting)])

    def similar_to(self, name: str, *, limit: int = 3) -> list["Account"]:
        """Existing accounts a new name probably meant: "Initech" for Initech Corp, "Initeck Bank" too."""
        name = " ".join(name.split())
        if not name:
            return []
        found = self.matching(name, limit=limit)
        words = [word for word in name.split() if len(word) >= 3]
        if len(found) < limit and words:
            # Typos: names sharing a word's first three letters, close enough in spelling.
            candidates = self.filter(reduce(operator.or_, (Q(name__icontains=word[:3]) for word in words))).exclude(
                pk__in=[account.pk for account in found]
            )[:200]
            by_name = {account.name.lower(): account for account in candidates}
            close = difflib.get_close_matches(name.lower(), list(by_name), n=limit, cutoff=0.75)
            found += [by_name[match] for match in close][: limit - len(found)]
        return found


@register_snippet
class Account(index.Indexed, models.Model):
    """A customer account that tips, microposts and deals are about."""

    name = models.CharField(max_length=200)
    industry = models.CharField(max_length=100, blank=True)
    crm_id = models.CharField("CRM id", max_length=100, blank=True, null=True, unique=True)

    objects = AccountQuerySet.as_manager()

    panels = [FieldPanel("name"), FieldPanel("industry"), FieldPanel("crm_id")]
    search_fields = [
        index.SearchField("name", boost=2),
        index.AutocompleteField("name"),
        index.SearchField("industry"),
        index.FilterField("industry"),
    ]

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="account_name_unique_ci"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = " ".join(self.name.split())
        self.crm_id = (self.crm_id or "").strip() or None  # blank ids must not collide
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("account_detail", args=[self.pk])


INDUSTRY_CHOICES = [
    "Manufacturing",
    "Healthcare",
    "Financial services",
    "Retail",
    "Logistics",
    "Education",
    "Public sector",
    "Software",
    "Energy",
    "Hospitality",
]


class Stage(models.TextChoices):
    PROSPECTING = "prospecting", "Prospecting"
    DISCOVERY = "discovery", "Discovery"
    DEMO = "demo", "Demo"
    PROPOSAL = "proposal", "Proposal"
    NEGOTIATION = "negotiation", "Negotiation"
    CLOSING = "closing", "Closing"
    RENEWAL = "renewal", "Renewal"


def default_verified_until(start: datetime.date | None = None) -> datetime.date:
    """A verification lasts TIP_VERIFICATION_DAYS from ``start`` (today by default)."""
    return (start or timezone.localdate()) + datetime.timedelta(days=settings.TIP_VERIFICATION_DAYS)


class TipPageTag(TaggedItemBase):
    content_object = ParentalKey("knowledge.TipPage", on_delete=models.CASCADE, related_name="tagged_items")

    class Meta:
        # Lets a tag page walk tips newest first and check each tip's tag with one index seek.
        indexes = [models.Index(fields=["content_object", "tag"], name="tip_tag_lookup")]


CARD_FIELDS = (
    # Page: what get_url(), feed_time and the card read.
    "id",
    "title",
    "slug",
    "url_path",
    "path",
    "depth",
    "live",
    "locale_id",
    "content_type_id",
    "first_published_at",
    "last_published_at",
    "latest_revision_created_at",
    # TipPage
    "summary",
    "stage",
    "industry",
    "helpful_count",
    "view_count",
    "verified_until",
    "retired",
    "featured",
    "edited_at",
    "account",
    "author",
    "account__id",
    "account__name",
    "account__industry",
    "author__id",
    "author__username",
    "author__first_name",
    "author__last_name",
)


class TipPageQuerySet(PageQuerySet):
    def listed(self) -> "TipPageQuerySet":
        """What feeds and lists show: published and not retired."""
        return self.live().filter(retired=False)

    def stale(self, today: datetime.date | None = None) -> "TipPageQuerySet":
        """Published tips whose verification has run out, oldest first."""
        return self.listed().filter(verified_until__lt=today or timezone.localdate()).order_by("verified_until", "pk")

    def unverified(self) -> "TipPageQuerySet":
        """Published tips marketing has not verified yet, newest first."""
        return self.listed().filter(verified_until__isnull=True).order_by("-first_published_at", "-pk")

    def curate(self, **fields) -> int:
        """Sets marketing's curation fields (verified_until, retired, replaced_by) on these tips.

        An unpublished draft written before the change gets the same values, so publishing it
        later does not undo a verification or a retirement. Lists and feeds show it at once.
        """
        ids = list(self.values_list("pk", flat=True))
        count = TipPage.objects.filter(pk__in=ids).update(**fields)
        carried = {
            name: value.isoformat() if isinstance(value, datetime.date) else getattr(value, "pk", value)
            for name, value in fields.items()
        }
        drafts = TipPage.objects.filter(pk__in=ids, has_unpublished_changes=True).values("latest_revision")
        for revision in Revision.objects.filter(pk__in=drafts):
            revision.content.update(carried)
            revision.save(update_fields=["content"])
        caching.items_changed(TipPage, ids)  # update() sends no post_save
        signals.curated.send(sender=TipPage, tip_ids=ids, fields=fields)
        return count

    def for_cards(self) -> "TipPageQuerySet":
        """A card's tip, author and account in one query (``listings.annotate_for`` adds tags).

        Only the columns a card shows: building full Page objects was most of a feed's time.
        """
        return self.select_related("author", "account").only(*CARD_FIELDS)


TipPageManager = PageManager.from_queryset(TipPageQuerySet)


class TipPage(SharedContent, HuddlePage):
    """An account tip: what worked, for which account and stage, told in a minute."""

    content_kind = ContentKind("tip", "Tip", "Tips", verb="shared_tip")
    account_tags_field = "tags"
    time_field = "first_published_at"
    card_template = "includes/tip_card.html"
    cache_listings = (
        caching.STREAM,
        caching.TIP_KEYS,
        caching.TIP_KEYS_RANKED,
        caching.TIP_COUNTS,
        caching.FEATURED,
        caching.TRENDING,
    )

    Stage = Stage

    summary = models.CharField(max_length=255, blank=True, help_text="One line: what the tip is about.")
    body = StreamField(TipBodyBlock(), use_json_field=True)
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="tips")
    industry = models.CharField(max_length=100, blank=True)
    product = models.CharField(max_length=100, blank=True)
    stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    tags = ClusterTaggableManager(through=TipPageTag, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tips",
    )
    featured = models.BooleanField(default=False, help_text="Show on the home page under Featured.")
    # Empty until marketing verifies the tip: a rep's word alone is not a verification.
    verified_until = models.DateField(
        null=True,
        blank=True,
        help_text="Set when marketing verifies the tip. After this date the tip shows "
        "“may be out of date”; empty means “not yet verified”.",
    )
    retired = models.BooleanField(default=False, help_text="Hidden from feeds and search; the URL still answers.")
    replaced_by = models.ForeignKey(
        "knowledge.TipPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaces",
    )
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Denormalised counters keep "most helpful" and "most viewed" sorts to one indexed column.
    helpful_count = models.PositiveIntegerField(default=0, editable=False, db_index=True)
    view_count = models.PositiveIntegerField(default=0, editable=False, db_index=True)

    objects = TipPageManager()

    parent_page_types = ["knowledge.TipIndexPage"]
    subpage_types: list[str] = []

    content_panels = HuddlePage.content_panels + [
        FieldPanel("summary"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("account"),
                FieldPanel("industry"),
                FieldPanel("product"),
                FieldPanel("stage"),
                FieldPanel("tags"),
            ],
            heading="About",
        ),
        FieldPanel("author"),
    ]
    promote_panels = HuddlePage.promote_panels + [
        MultiFieldPanel(
            [
                FieldPanel("featured"),
                FieldPanel("verified_until"),
                FieldPanel("retired"),
                PageChooserPanel("replaced_by", "knowledge.TipPage"),
            ],
            heading="Curation",
        ),
    ]
    # A later entry for the same field replaces Page's (modelsearch de-duplicates by type and name).
    search_fields = HuddlePage.search_fields + [
        index.SearchField("title", boost=3),
        index.SearchField("summary", boost=2),
        # Summary words as typed, so "Did you mean" can correct typos of them too.
        index.AutocompleteField("summary"),
        index.SearchField("body"),
        index.SearchField("industry"),
        index.SearchField("product"),
        index.RelatedFields("tags", [index.SearchField("name", boost=2)]),
        index.RelatedFields("account", [index.SearchField("name")]),
        index.RelatedFields(
            "author",
            [
                index.SearchField("first_name"),
                index.SearchField("last_name"),
                index.SearchField("username"),
            ],
        ),
        index.FilterField("retired"),
        index.FilterField("stage"),
        index.FilterField("industry"),
        index.FilterField("account"),
        index.FilterField("author"),
    ]
    # Counters and curation belong to the live page, not to a revision being published.
    page_fields_kept_across_revisions = ("helpful_count", "view_count", "edited_at")

    class Meta:
        verbose_name = "tip"
        indexes = [
            models.Index(fields=["retired", "verified_until"]),
            # "Most helpful" and "most viewed" walk these in order instead of sorting every tip.
            models.Index(fields=["helpful_count", "page_ptr"], name="tip_helpful_order"),
            models.Index(fields=["view_count", "page_ptr"], name="tip_viewed_order"),
            models.Index(fields=["featured"], name="tip_featured", condition=models.Q(featured=True)),
        ]

    def with_content_json(self, content):
        page = super().with_content_json(content)
        for name in self.page_fields_kept_across_revisions:
            setattr(page, name, getattr(self, name))
        return page

    @property
    def card_url(self) -> str:
        """The URL cards link to; ``listings.annotate_for`` sets it once per request."""
        return getattr(self, "_card_url", None) or self.url

    @card_url.setter
    def card_url(self, value: str) -> None:
        self._card_url = value

    @property
    def card_tags(self) -> list:
        """Tags as cards show them; ``listings.annotate_for`` sets them for a whole list at once."""
        if getattr(self, "_card_tags", None) is None:
            self._card_tags = list(self.tags.all())
        return self._card_tags

    @card_tags.setter
    def card_tags(self, value: list) -> None:
        self._card_tags = value

    @property
    def is_verified(self) -> bool:
        """Marketing has checked it and the check has not run out."""
        return bool(self.verified_until and self.verified_until >= timezone.localdate())

    @property
    def is_stale(self) -> bool:
        return bool(self.verified_until and self.verified_until < timezone.localdate())

    @property
    def feed_time(self) -> datetime.datetime:
        return self.first_published_at or self.latest_revision_created_at or timezone.now()

    def indexed_text(self) -> str:
        return f"{self.summary} {stream_text(self.body)}"

    def embedded_chunks(self) -> list[tuple]:
        """Title first: the encoder reads 256 word pieces, and the title says most."""
        return [(0, ". ".join(part for part in (self.title, self.summary, stream_text(self.body)) if part.strip()))]

    @classmethod
    def listed(cls) -> "TipPageQuerySet":
        return cls.objects.listed()

    def verify(self, *, until: datetime.date | None = None) -> None:
        """Marks the tip checked by marketing: fresh again for another period."""
        self.verified_until = until or default_verified_until()
        TipPage.objects.filter(pk=self.pk).curate(verified_until=self.verified_until)

    def retire(self, *, replaced_by: "TipPage | None" = None) -> None:
        self.retired = True
        self.replaced_by = replaced_by or self.replaced_by
        TipPage.objects.filter(pk=self.pk).curate(retired=True, replaced_by=self.replaced_by)

    def get_context(self, request, *args, **kwargs):
        from .listings import tip_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(tip_page_context(self, request))
        return context


class MicropostQuerySet(SearchableQuerySetMixin, models.QuerySet):
    def for_cards(self) -> "MicropostQuerySet":
        """A post card links its #hashtags inline, so it needs no tag rows."""
        return self.select_related("author", "account")


class MicropostTag(TaggedItemBase):
    content_object = models.ForeignKey("knowledge.Micropost", on_delete=models.CASCADE, related_name="tagged_items")

    class Meta:
        indexes = [models.Index(fields=["content_object", "tag"], name="micropost_tag_lookup")]


class Micropost(SharedContent, index.Indexed, models.Model):
    """A one-liner from a rep: up to 500 characters, #hashtags become tags, @names notify."""

    content_kind = ContentKind("micropost", "Micropost", "Microposts", verb="shared_micropost")
    account_tags_field = "tags"
    card_template = "includes/micropost_card.html"
    card_shows_comment_count = False  # a post's card is its whole text, without a discussion line

    MAX_LENGTH = 500

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="microposts")
    text = models.TextField(max_length=MAX_LENGTH)
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="microposts")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    helpful_count = models.PositiveIntegerField(default=0, editable=False)
    tags = TaggableManager(through=MicropostTag, blank=True)

    objects = MicropostQuerySet.as_manager()

    panels = [FieldPanel("text"), FieldPanel("account"), FieldPanel("tags")]
    search_fields = [
        index.SearchField("text"),
        index.AutocompleteField("text"),
        index.RelatedFields("tags", [index.SearchField("name", boost=2)]),
        index.RelatedFields("account", [index.SearchField("name")]),
        index.RelatedFields(
            "author",
            [
                index.SearchField("first_name"),
                index.SearchField("last_name"),
                index.SearchField("username"),
            ],
        ),
        index.FilterField("author"),
        index.FilterField("account"),
        index.FilterField("created_at"),
        index.FilterField("id"),  # the site search narrows to tagged posts by id
    ]

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.text[:60]

    def get_absolute_url(self):
        return reverse("micropost_detail", args=[self.pk])

    def indexed_text(self) -> str:
        return self.text


class ReactionQuerySet(models.QuerySet):
    def for_object(self, obj) -> "ReactionQuerySet":
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


class HelpfulMark(models.Model):
    """One user found one piece of content (a tip, a micropost, a video) helpful."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="helpful_marks")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = ReactionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "content_type", "object_id"], name="helpful_once_per_user")
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.user} found {self.content_type.model} {self.object_id} helpful"


class ContentView(models.Model):
    """A user opened a piece of content on a day (at most one row per user, item and day)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="content_views")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    day = models.DateField(default=timezone.localdate)

    objects = ReactionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "content_type", "object_id", "day"],
                name="one_view_per_user_and_day",
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.user} viewed {self.content_type.model} {self.object_id} on {self.day}"


@register_snippet
class FeaturedCollection(ClusterableModel):
    """A named list of tips that marketing pins to the home page ("Onboarding essentials")."""

    title = models.CharField(max_length=120)
    description = models.CharField(max_length=255, blank=True)
    pinned = models.BooleanField(default=True, help_text="Show on the home page.")
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers show first.")

    panels = [
        FieldPanel("title"),
        FieldPanel("description"),
        FieldPanel("pinned"),
        FieldPanel("position"),
        InlinePanel("items", label="Tips", min_num=1),
    ]

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.title


class FeaturedCollectionItem(Orderable):
    collection = ParentalKey(FeaturedCollection, on_delete=models.CASCADE, related_name="items")
    tip = models.ForeignKey(TipPage, on_delete=models.CASCADE, related_name="+")

    panels = [PageChooserPanel("tip", "knowledge.TipPage")]


@register_setting(icon="doc-full")
class KnowledgeSettings(BaseSiteSetting):
    """What marketing sets for sharing: approval and the posting guidelines."""

    tips_need_approval = models.BooleanField(
        default=False,
        help_text="Tips shared from the site wait in the moderation workflow until approved.",
    )
    posting_guidelines = RichTextField(
        blank=True,
        features=["bold", "italic", "link", "ol", "ul"],
        help_text="Shown beside the share forms.",
    )

    panels = [FieldPanel("tips_need_approval"), FieldPanel("posting_guidelines")]

    class Meta:
        verbose_name = "knowledge settings"


class Mention(models.Model):
    """Someone was told they were mentioned in one item (a micropost, a comment): told once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "user"], name="one_mention_notice_per_item")
        ]

    def __str__(self):
        return f"{self.user} in {self.content_type.model} {self.object_id}"


def _new_feed_key() -> str:
    import secrets

    return secrets.token_urlsafe(24)


class FeedToken(models.Model):
    """The key in a person's private feed URLs; a feed reader has no session, so it reads with
    this. Regenerating replaces the key, which revokes every URL that carried the old one."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_token")
    key = models.CharField(max_length=64, unique=True, default=_new_feed_key, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self):
        return f"Feed key of {self.user}"

    def regenerate(self) -> None:
        self.key = _new_feed_key()
        self.created_at = timezone.now()
        self.save(update_fields=["key", "created_at"])
