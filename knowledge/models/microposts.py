"""Microposts, their tags, and the mentions they (and comments) notify."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel
from wagtail.search import index
from wagtail.search.queryset import SearchableQuerySetMixin

from ..contracts import ContentKind, SharedContent
from .accounts import Account


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
    # Wagtail's reference index ("where is this used") would note a post's author and tags, which
    # no usage report shows; keeping it cost the worker 19 ms of CPU per post.
    wagtail_reference_index_ignore = True

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
