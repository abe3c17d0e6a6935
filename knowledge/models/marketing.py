"""What marketing sets up: collections pinned to the home page, and the sharing settings."""

from django.db import models
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, PageChooserPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Orderable
from wagtail.snippets.models import register_snippet

from .tips import TipPage


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
