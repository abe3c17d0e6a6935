"""One CRM deal row read and validated: amounts, dates and stages as CRMs write them, and the
form that checks a row for the file import and the API alike."""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django import forms

from .models import Deal

WON_STAGES = {"closed won", "closedwon", "won", "closed/won", "closed - won", "close won", "signed"}
LOST_STAGES = {
    "closed lost",
    "closedlost",
    "lost",
    "closed/lost",
    "closed - lost",
    "close lost",
    "closed - no decision",
    "no decision",
    "disqualified",
}
CURRENCY_SYMBOLS = {
    "$": "USD",
    "US$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "CHF": "CHF",
    "A$": "AUD",
    "C$": "CAD",
    "kr": "SEK",
}


def parse_amount(text: str) -> tuple[Decimal, str | None]:
    """``$12,500.00``, ``USD 12,500``, ``12.500,00 €`` -> (amount, currency or None)."""
    value = (text or "").strip().replace("\u00a0", " ").replace("\u202f", " ")
    if not value:
        raise ValueError("the amount is empty")
    currency = None
    code = re.search(r"\b([A-Z]{3})\b", value)
    if code:
        currency = code.group(1)
        value = value.replace(code.group(0), "")
    for symbol in sorted(CURRENCY_SYMBOLS, key=len, reverse=True):
        if symbol in value:
            currency = currency or CURRENCY_SYMBOLS[symbol]
            value = value.replace(symbol, "")
    negative = value.strip().startswith(("-", "(")) or value.strip().endswith(("-", ")"))
    value = re.sub(r"[\s'’()+-]", "", value)
    if not re.fullmatch(r"[\d.,]+", value or "x"):
        raise ValueError(f"“{text}” is not an amount")
    if "," in value and "." in value:
        decimal_mark = "," if value.rfind(",") > value.rfind(".") else "."
    elif "," in value:
        groups = value.split(",")
        # 12,500 and 1,250,000 group thousands; 12,50 and 12,5 use a decimal comma.
        decimal_mark = "." if len(groups) > 2 or len(groups[-1]) == 3 else ","
    elif value.count(".") > 1:
        decimal_mark = ","  # 1.250.000 groups thousands with dots
    else:
        decimal_mark = "."
    thousands = "," if decimal_mark == "." else "."
    value = value.replace(thousands, "").replace(decimal_mark, ".")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"“{text}” is not an amount") from None
    if negative:
        raise ValueError("the amount is negative")
    return amount.quantize(Decimal("0.01")), currency


DATE_FORMATS = [
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%y",
    "%d.%m.%Y",
    "%Y/%m/%d",
]


ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[ T]\d)")
US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def _checked_date(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"“{text}” is not a date (use 2026-11-03 or 11/3/2026)") from None


def parse_date(text: str) -> date:
    """ISO dates, ``2026-11-03 10:00``, US ``11/3/2026`` and ``3.11.2026``."""
    value = (text or "").strip()
    if not value:
        raise ValueError("the date is empty")
    # The two shapes nearly every export uses, without strptime's cost per row.
    match = ISO_DATE.match(value)
    if match:
        year, month, day = (int(part) for part in match.groups())
        return _checked_date(year, month, day, text)
    match = US_DATE.fullmatch(value)
    if match:
        month, day, year = (int(part) for part in match.groups())
        if month > 12:  # 31/12/2026 can only be day first
            month, day = day, month
        return _checked_date(year, month, day, text)
    iso = re.sub(r"(\.\d+)?(Z|[+-]\d\d:?\d\d)$", "", value)
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(iso, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"“{text}” is not a date (use 2026-11-03 or 11/3/2026)")


def status_for(stage: str, status: str = "") -> str:
    """Maps a CRM stage (or an explicit won/lost/open or true/false column) to a deal status."""
    explicit = status.strip().lower()
    if explicit in Deal.Status.values:
        return explicit
    if explicit in {"true", "yes", "1"}:
        return Deal.Status.WON
    normalised = " ".join(stage.strip().lower().split())
    if normalised in WON_STAGES or normalised.endswith("won"):
        return Deal.Status.WON
    if normalised in LOST_STAGES or normalised.endswith("lost"):
        return Deal.Status.LOST
    if explicit in {"false", "no", "0"} and normalised.startswith("closed"):
        return Deal.Status.LOST
    return Deal.Status.OPEN


class AmountField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_amount(value)
        except ValueError as error:
            raise forms.ValidationError(str(error).capitalize() + ".") from None


class LenientDateField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_date(value)
        except ValueError as error:
            raise forms.ValidationError(str(error).capitalize() + ".") from None


class DealRowForm(forms.Form):
    """One CRM row; the same validation serves the file import and the API."""

    crm_id = forms.CharField(max_length=100, error_messages={"required": "The CRM id is missing."})
    name = forms.CharField(max_length=300, error_messages={"required": "The deal name is missing."})
    account = forms.CharField(max_length=200, required=False)
    account_id = forms.CharField(max_length=100, required=False)
    owner = forms.CharField(max_length=200, required=False)
    owner_email = forms.EmailField(max_length=254, required=False)
    amount = AmountField(required=False)
    currency = forms.CharField(max_length=10, required=False)
    stage = forms.CharField(max_length=100, required=False)
    status = forms.CharField(max_length=10, required=False)
    close_date = LenientDateField(required=False)

    def clean_currency(self):
        currency = self.cleaned_data["currency"].strip().upper()
        if currency and not re.fullmatch(r"[A-Z]{3}", currency):
            raise forms.ValidationError(f"“{currency}” is not a three-letter currency code.")
        return currency

    def clean(self):
        cleaned = super().clean()
        amount = cleaned.get("amount")
        if amount is not None:
            cleaned["amount"], symbol_currency = amount
            cleaned["currency"] = cleaned.get("currency") or symbol_currency or ""
        status = cleaned.get("status") or ""
        if status and status.strip().lower() not in {
            *Deal.Status.values,
            "true",
            "false",
            "yes",
            "no",
            "1",
            "0",
        }:
            self.add_error("status", f"“{status}” is not won, lost or open.")
        cleaned["status"] = status_for(cleaned.get("stage") or "", status)
        if cleaned["status"] != Deal.Status.OPEN and not cleaned.get("close_date") and "close_date" not in self.errors:
            self.add_error("close_date", "A won or lost deal needs a close date.")
        if cleaned["status"] == Deal.Status.WON and cleaned.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", "A won deal needs an amount.")
        return cleaned


class RowValidator:
    """One ``DealRowForm`` rebound to each row: a new form per row deep-copies its eleven fields,
    which costs more than the rest of the import. Cleaning is stateless, so reuse is safe."""

    def __init__(self):
        self.form = DealRowForm(data={})

    def bind(self, data: dict) -> DealRowForm:
        self.form.data = data
        self.form._errors = None
        return self.form
