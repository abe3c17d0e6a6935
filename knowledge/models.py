from django.db import models
from django.db.models.functions import Lower
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet


class HuddlePage(Page):
    """Base for Huddle's pages: comments-xtd and feeds need ``get_absolute_url``."""

    class Meta:
        abstract = True

    def get_absolute_url(self):
        return self.get_url()


class HomePage(HuddlePage):
    """The feed: the micropost box, featured items and everything new."""

    max_count = 1
    subpage_types = ["knowledge.TipIndexPage", "coaching.CoachingIndexPage"]

    class Meta:
        verbose_name = "home page"


class TipIndexPage(HuddlePage):
    """The Tips section: every account tip lives below it."""

    max_count = 1
    parent_page_types = ["knowledge.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "tips index"


@register_snippet
class Account(index.Indexed, models.Model):
    """A customer account that tips, microposts and deals are about."""

    name = models.CharField(max_length=200)
    industry = models.CharField(max_length=100, blank=True)
    crm_id = models.CharField("CRM id", max_length=100, blank=True, null=True, unique=True)

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
        from django.urls import reverse

        return reverse("account_detail", args=[self.pk])
