"""CRM opportunities, upserted by the CRM's id, with their amount in the reporting currency."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Case, F, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce, Round
from django.utils import timezone

from .rates import ExchangeRate
from .scoring_settings import ScoringSettings


class DealQuerySet(models.QuerySet):
    def won(self) -> "DealQuerySet":
        return self.filter(status=Deal.Status.WON)

    def closed_between(self, start: date, end: date) -> "DealQuerySet":
        return self.filter(close_date__gte=start, close_date__lte=end)

    def unmapped(self) -> "DealQuerySet":
        return self.filter(owner__isnull=True).exclude(owner_name="")

    def convert_amounts(self, into: str | None = None) -> int:
        """Stores each deal's amount in the reporting currency, at the latest rate on or before
        its close date (today's for an open deal without one); NULL when no rate exists.

        One UPDATE: rates change rarely and the board is read all day, so the conversion is
        kept beside the amount instead of being looked up for every deal on every read.
        """
        into = into or ScoringSettings.current().reporting_currency
        rate = (
            ExchangeRate.objects.filter(
                currency=OuterRef("currency"),
                to_currency=into,
                valid_from__lte=Coalesce(OuterRef("close_date"), Value(timezone.localdate())),
            )
            .order_by("-valid_from")
            .values("rate")[:1]
        )
        return self.update(
            amount_reporting=Case(
                When(currency=into, then=F("amount")),
                default=Round(F("amount") * Subquery(rate), 2),
                output_field=models.DecimalField(max_digits=18, decimal_places=2),
            )
        )


class Deal(models.Model):
    """A CRM opportunity, upserted by the CRM's id."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        WON = "won", "Won"
        LOST = "lost", "Lost"

    crm_id = models.CharField("CRM id", max_length=100, unique=True)
    name = models.CharField(max_length=300)
    account = models.ForeignKey(
        "knowledge.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )
    # The CRM's account and owner as text: kept when no Huddle account or rep matches yet.
    account_name = models.CharField(max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deals",
    )
    owner_name = models.CharField(max_length=200, blank=True, db_index=True)
    owner_email = models.CharField(max_length=254, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, default="USD")
    # ``amount`` in the reporting currency at the close date's rate; NULL while no rate covers
    # it, and then left out of every sum (never added in its own currency).
    amount_reporting = models.DecimalField(
        "amount in the reporting currency",
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
    )
    stage = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=4, choices=Status.choices, default=Status.OPEN)
    close_date = models.DateField(null=True, blank=True)
    last_imported_at = models.DateTimeField(null=True, blank=True)

    objects = DealQuerySet.as_manager()

    class Meta:
        permissions = [
            ("view_revenue", "Can see revenue figures on the leaderboard"),
            ("import_deals", "Can import deals and map CRM owners to reps"),
        ]
        indexes = [
            # The board's revenue per owner for a period, and the won deals whose owners' views
            # influence counts, read from the index alone.
            models.Index(
                fields=["close_date", "owner", "currency", "status", "amount_reporting", "account"],
                name="deal_period_totals",
            ),
            models.Index(fields=["owner", "account", "status"], name="deal_owner_account"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"amount", "currency", "close_date"} & set(update_fields):
            self.amount_reporting = ExchangeRate.objects.convert(self.amount, self.currency, self.close_date)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "amount_reporting"}
        super().save(*args, **kwargs)
