"""Deals in several currencies: each converted into the reporting currency at its close date,
the ones without a rate left out of sums and named, and exchange rates read from CSV.

Amounts in different currencies are never added: a sum adds ``Deal.amount_reporting`` only,
which is NULL for a deal whose currency has no rate on or before its close date.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django import forms
from django.db import transaction

from . import attribution
from .columns import normalise_header
from .csv_reading import FileEncodingError, column_count_problem, until_unreadable
from .deal_rows import LenientDateField
from .importing import RowError
from .models import CURRENCY_CODE, Deal, ExchangeRate, ScoringSettings

# Symbols for the currencies CRMs send most; any other shows its code ("CHF 1,200.00").
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "CAD": "CA$", "AUD": "A$"}


def reporting_currency() -> str:
    return ScoringSettings.current().reporting_currency


def rates_changed(currencies: set[str] | None = None) -> int:
    """Converts again the deals in these currencies (every deal for None); drops kept figures."""
    deals = Deal.objects.all() if currencies is None else Deal.objects.filter(currency__in=currencies)
    converted = deals.convert_amounts()
    attribution.influence_changed()
    return converted


def format_money(amount: Decimal | float | None, currency: str, *, cents: bool = False) -> str:
    """``$1,352,000``, ``€1,250,000.00`` (with ``cents``), ``CHF 1,200``; "—" for no amount."""
    if amount is None or amount == "":
        return "—"
    figure = f"{Decimal(amount):,.2f}" if cents else f"{Decimal(amount):,.0f}"
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{figure}" if symbol else f"{currency} {figure}"


@dataclass(frozen=True)
class MissingRate:
    currency: str
    deals: int

    def __str__(self) -> str:
        verb = "has" if self.deals == 1 else "have"
        return f"{self.deals} deal{'s' if self.deals != 1 else ''} in {self.currency} {verb} no exchange rate"


def missing_rates(unconverted: dict[str, int]) -> list[MissingRate]:
    """The counts of deals left out of sums, per currency, largest first."""
    return [
        MissingRate(currency, count)
        for currency, count in sorted(unconverted.items(), key=lambda item: (-item[1], item[0]))
        if count
    ]


@dataclass
class Total:
    """Converted amounts added up, and how many deals per currency could not be."""

    amount: Decimal = Decimal(0)
    unconverted: dict[str, int] = field(default_factory=dict)

    @property
    def missing(self) -> list[MissingRate]:
        return missing_rates(self.unconverted)


def converted_total(deals: Iterable[Deal]) -> Total:
    total = Total()
    for deal in deals:
        if deal.amount_reporting is None:
            total.unconverted[deal.currency] = total.unconverted.get(deal.currency, 0) + 1
        else:
            total.amount += deal.amount_reporting
    return total


# Exchange rates from CSV: ``currency,rate,valid_from`` and optionally ``to_currency``.
RATE_COLUMNS = ["currency", "rate", "valid_from", "to_currency"]
RATE_ALIASES = {
    "currency": ["currency", "currency code", "code", "from currency"],
    "rate": ["rate", "exchange rate", "value"],
    "valid_from": ["valid from", "date", "from date", "effective date", "valid_from"],
    "to_currency": ["to currency", "to", "into", "reporting currency"],
}
REQUIRED_RATE_COLUMNS = ["currency", "rate", "valid_from"]


class RateField(forms.CharField):
    """``1.0816``, or ``1,0816`` with a decimal comma; more than zero."""

    def to_python(self, value):
        value = super().to_python(value).replace(" ", "")
        if value in self.empty_values:
            return None
        if "," in value and "." not in value:
            value = value.replace(",", ".")
        try:
            rate = Decimal(value)
        except InvalidOperation:
            raise forms.ValidationError(f"“{value}” is not a rate.") from None
        if not rate.is_finite() or rate <= 0:
            raise forms.ValidationError("The rate must be more than zero.")
        if rate.as_tuple().exponent < -8 or rate >= 10**10:
            raise forms.ValidationError(f"“{value}” has too many digits (8 decimals at most).")
        return rate


class CurrencyField(forms.CharField):
    default_validators = [CURRENCY_CODE]

    def to_python(self, value):
        return super().to_python(value).upper()


class RateRowForm(forms.Form):
    """One row of a rates file."""

    currency = CurrencyField(error_messages={"required": "The currency is missing."})
    rate = RateField(error_messages={"required": "The rate is missing."})
    valid_from = LenientDateField(error_messages={"required": "The valid-from date is missing."})
    to_currency = CurrencyField(required=False)


@dataclass
class RateImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.errors)

    def summary(self) -> str:
        return f"Created {self.created}, updated {self.updated}, unchanged {self.unchanged}, failed {self.failed}."


def _rate_columns(headers: list[str]) -> dict[str, str]:
    normalised = {normalise_header(header): header for header in headers if header}
    columns = {}
    for name in RATE_COLUMNS:
        for alias in RATE_ALIASES[name]:
            header = normalised.get(normalise_header(alias))
            if header and header not in columns.values():
                columns[name] = header
                break
    return columns


def import_rates(rows: Iterable[dict[str, str]]) -> RateImportReport:
    """Upserts rates by currency, target currency and date: importing a file again changes
    nothing. Each bad row is reported with its line; the good ones are saved in one go."""
    report = RateImportReport()
    into = reporting_currency()
    parsed: dict[tuple[str, str, object], tuple[int, Decimal]] = {}
    columns: dict[str, str] | None = None
    unreadable: list[FileEncodingError] = []
    for row in until_unreadable(rows, unreadable):
        line = row.get("__line__", len(parsed) + len(report.errors) + 2)
        if columns is None:
            columns = _rate_columns([key for key in row if key not in (None, "__line__")])
            absent = [name for name in REQUIRED_RATE_COLUMNS if name not in columns]
            if absent:
                report.errors.append(
                    RowError(
                        1,
                        "",
                        f"the header has no {', '.join(absent)} column; use {','.join(RATE_COLUMNS)}",
                    )
                )
                return report
        problem = column_count_problem(row)
        if problem:
            report.errors.append(RowError(line, "", problem))
            continue
        form = RateRowForm(data={name: row.get(column) or "" for name, column in columns.items()})
        if not form.is_valid():
            reason = "; ".join(
                f"{name.replace('_', ' ')}: {error}" for name, errors in form.errors.items() for error in errors
            )
            currency = (form.data.get("currency") or "").strip().upper()
            report.errors.append(RowError(line, currency, reason))
            continue
        data = form.cleaned_data
        key = (data["currency"], data["to_currency"] or into, data["valid_from"])
        if key[0] == key[1]:
            report.errors.append(RowError(line, key[0], f"{key[0]} needs no rate into itself"))
            continue
        if key in parsed:
            report.errors.append(
                RowError(
                    line,
                    key[0],
                    f"the rate for {key[0]} from {key[2]} already appeared on line {parsed[key][0]}",
                )
            )
            continue
        parsed[key] = (line, data["rate"])
    report.errors.extend(RowError(error.line, "", str(error)) for error in unreadable)
    _save_rates(parsed, report)
    return report


def _save_rates(parsed: dict, report: RateImportReport) -> None:
    existing = {
        (rate.currency, rate.to_currency, rate.valid_from): rate
        for rate in ExchangeRate.objects.filter(
            currency__in={key[0] for key in parsed}, valid_from__in={key[2] for key in parsed}
        )
    }
    to_create, to_update = [], []
    for key, (_line, value) in parsed.items():
        rate = existing.get(key)
        if rate is None:
            to_create.append(ExchangeRate(currency=key[0], to_currency=key[1], valid_from=key[2], rate=value))
        elif rate.rate != value:
            rate.rate = value
            to_update.append(rate)
        else:
            report.unchanged += 1
    report.created, report.updated = len(to_create), len(to_update)
    if not (to_create or to_update):
        return
    with transaction.atomic():
        ExchangeRate.objects.bulk_create(to_create)
        ExchangeRate.objects.bulk_update(to_update, ["rate"])
        rates_changed({rate.currency for rate in [*to_create, *to_update]})


def rate_rows() -> Iterator[list]:
    """Every rate as a CSV row in the import's own format, so an export imports back."""
    for rate in ExchangeRate.objects.order_by("currency", "to_currency", "valid_from"):
        yield [rate.currency, f"{rate.rate.normalize():f}", rate.valid_from, rate.to_currency]
