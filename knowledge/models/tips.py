"""Account tips: the page, its tags, and the queries and curation that lists and marketing use."""

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, PageChooserPanel
from wagtail.fields import StreamField
from wagtail.models import PageManager, Revision
from wagtail.query import PageQuerySet
from wagtail.search import index

from config import caching

from .. import signals
from ..blocks import TipBodyBlock, stream_text
from ..contracts import ContentKind
from .accounts import Account, Stage
from .base import HuddlePage, SharedPage


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


class TipPage(SharedPage):
    """An account tip: what worked, for which account and stage, told in a minute."""

    content_kind = ContentKind("tip", "Tip", "Tips", verb="shared_tip")
    account_tags_field = "tags"
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
        """Besides the tip: the visitor's helpful mark, its tags, a retired tip's replacement."""
        context = super().get_context(request, *args, **kwargs)
        user = request.user
        # What the helpful button needs (a card's annotate_for would also count comments and fetch tags).
        self.content_type_id_for_reactions = ContentType.objects.get_for_model(self).pk
        from ..reactions import helpful_ids_for  # reactions imports the models

        self.marked_helpful = bool(helpful_ids_for(user, [(self.content_type_id_for_reactions, self.pk)]))
        replacement = None
        if self.retired and self.replaced_by_id:
            replacement = TipPage.objects.live().filter(pk=self.replaced_by_id).first()
        context.update(
            {
                "replacement": replacement,
                "tags": list(self.tags.all()),
                "can_edit": user.pk is not None and self.author_id == user.pk,
            }
        )
        return context
