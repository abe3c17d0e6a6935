"""Customer accounts, and the industries and deal stages content is filed under."""

import difflib
import operator
from functools import reduce

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from wagtail.admin.panels import FieldPanel
from wagtail.search import index
from wagtail.search.queryset import SearchableQuerySetMixin
from wagtail.snippets.models import register_snippet


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
