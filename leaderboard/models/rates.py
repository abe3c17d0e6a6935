"""Exchange rates into the reporting currency, and a table of them held in memory."""

from bisect import bisect_right
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from ..admin_forms import CurrencyCodesForm
from .scoring_settings import CURRENCY_CODE, ScoringSettings, rates_changed


class ExchangeRateQuerySet(models.QuerySet):
    def into(self, currency: str) -> "ExchangeRateQuerySet":
        return self.filter(to_currency=currency)

    def rate_on(self, currency: str, day: date, *, into: str) -> "Decimal | None":
        """The latest rate on or before ``day``, or None when none is that old."""
        return (
            self.into(into)
            .filter(currency=currency, valid_from__lte=day)
            .order_by("-valid_from")
            .values_list("rate", flat=True)
            .first()
        )

    def convert(
        self, amount: "Decimal", currency: str, day: date | None, *, into: str | None = None
    ) -> "Decimal | None":
        """``amount`` of ``currency`` in the reporting currency on ``day``; None without a rate."""
        into = into or ScoringSettings.current().reporting_currency
        if currency == into:
            return amount
        rate = self.rate_on(currency, day or timezone.localdate(), into=into)
        if rate is None:
            return None
        return (amount * rate).quantize(Decimal("0.01"))

    def table(self, into: str | None = None) -> "RateTable":
        """Every rate into the reporting currency, loaded once, for converting many deals."""
        into = into or ScoringSettings.current().reporting_currency
        table = RateTable(into)
        for currency, valid_from, rate in (
            self.into(into).order_by("currency", "valid_from").values_list("currency", "valid_from", "rate")
        ):
            days, rates = table.rates.setdefault(currency, ([], []))
            days.append(valid_from)
            rates.append(rate)
        return table

    def delete(self):
        currencies = set(self.values_list("currency", flat=True))
        result = super().delete()
        rates_changed(currencies)
        return result


class RateTable:
    """Rates held in memory: an import converts thousands of deals without a query each."""

    def __init__(self, into: str):
        self.into = into
        self.rates: dict[str, tuple[list[date], list[Decimal]]] = {}

    def convert(self, amount: Decimal, currency: str, day: date | None) -> Decimal | None:
        if currency == self.into:
            return amount
        if currency not in self.rates:
            return None
        days, rates = self.rates[currency]
        index = bisect_right(days, day or timezone.localdate())
        return (amount * rates[index - 1]).quantize(Decimal("0.01")) if index else None


class ExchangeRate(models.Model):
    """What one unit of a currency is worth in the reporting currency, from a date on."""

    currency = models.CharField(max_length=3, validators=[CURRENCY_CODE], help_text="e.g. EUR")
    to_currency = models.CharField(
        "in",
        max_length=3,
        blank=True,
        validators=[CURRENCY_CODE],
        help_text="The reporting currency the rate converts into; empty means the current one. "
        "Rates into another currency wait unused until it is the reporting currency again.",
    )
    rate = models.DecimalField(
        max_digits=18,
        decimal_places=8,
        validators=[MinValueValidator(Decimal("0.00000001"))],
        help_text="One unit of the currency is worth this much: 1.0816 for EUR in USD.",
    )
    valid_from = models.DateField(help_text="Deals closed on or after this day (until the next rate) use this rate.")

    objects = ExchangeRateQuerySet.as_manager()

    base_form_class = CurrencyCodesForm

    class Meta:
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "to_currency", "valid_from"], name="one_rate_per_day")
        ]

    def __str__(self):
        return f"1 {self.currency} = {self.rate.normalize():f} {self.to_currency} from {self.valid_from}"

    def save(self, *args, **kwargs):
        self.to_currency = self.to_currency or ScoringSettings.current().reporting_currency
        previous = (
            ExchangeRate.objects.filter(pk=self.pk).values_list("currency", flat=True).first() if self.pk else None
        )
        super().save(*args, **kwargs)
        rates_changed({self.currency, previous} - {None})

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        rates_changed({self.currency})
        return result

    def clean(self):
        self.currency = (self.currency or "").strip().upper()
        self.to_currency = (self.to_currency or "").strip().upper() or ScoringSettings.current().reporting_currency
        if self.currency == self.to_currency:
            raise ValidationError({"currency": "A currency needs no rate into itself."})
