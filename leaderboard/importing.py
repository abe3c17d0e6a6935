"""Importing deals from CRM exports: header detection, per-row validation, batched upserts."""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django import forms
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Lower
from django.utils import timezone
from django_tasks import task

from knowledge.models import Account

from . import attribution
from .csv_reading import FileEncodingError, column_count_problem, count_rows, read_rows, until_unreadable
from .models import Deal, ExchangeRate, RateTable, RepProfile

__all__ = ["count_rows", "read_rows"]  # re-exported: the command and the bench read files here

BATCH_SIZE = 1000
MAX_REPORTED_ERRORS = 1000

# The fields a deal row can carry, in Huddle's own simple format (its header row, in this order).
HUDDLE_COLUMNS = [
    "crm_id",
    "name",
    "account",
    "account_id",
    "owner",
    "owner_email",
    "amount",
    "currency",
    "stage",
    "status",
    "close_date",
]

# Column names CRMs use in their exports, normalised (lower case, single spaces), per field.
ALIASES = {
    "crm_id": [
        "opportunity id",
        "opportunity: id",
        "id",
        "record id",
        "deal id",
        "hs_object_id",
        "crm id",
    ],
    "name": ["opportunity name", "opportunity", "deal name", "dealname", "name"],
    "account": [
        "account name",
        "account",
        "associated company",
        "company name",
        "company",
        "associated company (primary)",
    ],
    "account_id": ["account id", "account: id", "associated company id", "company id"],
    "owner": [
        "opportunity owner",
        "owner",
        "owner name",
        "deal owner",
        "hubspot owner",
        "owner full name",
        "hubspot_owner_id",
    ],
    "owner_email": [
        "owner email",
        "opportunity owner email",
        "deal owner email",
        "owner e-mail",
        "email of owner",
    ],
    "amount": [
        "amount",
        "total amount",
        "deal amount",
        "amount (converted)",
        "opportunity amount",
        "amount in company currency",
    ],
    "currency": [
        "currency",
        "amount currency",
        "opportunity currency",
        "deal currency code",
        "currency code",
        "currency iso code",
    ],
    "stage": ["stage", "deal stage", "dealstage", "opportunity stage", "stage name"],
    "status": ["status", "won/lost", "outcome", "is won", "won"],
    "close_date": ["close date", "closedate", "closed date", "expected close date", "close_date"],
}
FORMAT_SIGNATURES = {
    "Salesforce opportunity report": {
        "opportunity name",
        "opportunity owner",
        "opportunity id",
        "stage",
    },
    "HubSpot deal export": {"deal name", "deal stage", "record id", "deal owner"},
    "Huddle": {"crm id", "close date", "owner email", "status"},
}

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


def normalise_header(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").replace("_", " ").strip().lower().split())


@dataclass
class ColumnPlan:
    """Which source column feeds which deal field, and which CRM format that looks like."""

    columns: dict[str, str]
    format_name: str
    unused: list[str] = field(default_factory=list)


def plan_columns(headers: list[str], mapping: dict[str, str] | None = None) -> ColumnPlan:
    """Matches a header row to deal fields; a user mapping (field -> column) wins over detection."""
    normalised = {normalise_header(header): header for header in headers if header}
    columns: dict[str, str] = {}
    for field_name in HUDDLE_COLUMNS:
        candidates = [normalise_header(field_name)] + ALIASES.get(field_name, [])
        for candidate in candidates:
            candidate = normalise_header(candidate)
            if candidate in normalised and normalised[candidate] not in columns.values():
                columns[field_name] = normalised[candidate]
                break
    for field_name, column in (mapping or {}).items():
        if column:
            columns[field_name] = column
    present = set(normalised)
    format_name = "your column mapping" if mapping else "unrecognised columns"
    if not mapping:
        best = max(FORMAT_SIGNATURES.items(), key=lambda item: len(item[1] & present))
        if len(best[1] & present) >= 2:
            format_name = best[0]
        elif "crm_id" in columns and "name" in columns:
            format_name = "Huddle"
    unused = [header for header in headers if header and header not in columns.values()]
    return ColumnPlan(columns, format_name, unused)


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


@dataclass
class RowError:
    line: int
    crm_id: str
    reason: str


@dataclass
class ImportReport:
    format_name: str = ""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: list[RowError] = field(default_factory=list)
    unmapped_owners: set[str] = field(default_factory=set)
    # Imported deals per currency that no exchange rate converts yet (left out of revenue).
    unconverted: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False
    columns: dict[str, str] = field(default_factory=dict)
    # Why the import ended before the file did (a line the encoding cannot read), if it did.
    stopped: str = ""

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.failed

    def fail(self, line: int, crm_id: str, reason: str) -> None:
        self.failed += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(line, crm_id, reason))

    def summary(self) -> str:
        verb = "Would create" if self.dry_run else "Created"
        return (
            f"{verb} {self.created:,}, updated {self.updated:,}, unchanged {self.unchanged:,}, "
            f"failed {self.failed:,} (of {self.total:,} rows)."
        )

    def as_dict(self) -> dict:
        return {
            "format": self.format_name,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "dry_run": self.dry_run,
            "errors": [{"line": error.line, "crm_id": error.crm_id, "reason": error.reason} for error in self.errors],
            "unmapped_owners": sorted(self.unmapped_owners),
            "unconverted": self.unconverted,
            "stopped": self.stopped,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "ImportReport":
        report = cls(
            format_name=data["format"],
            created=data["created"],
            updated=data["updated"],
            unchanged=data["unchanged"],
            failed=data["failed"],
            dry_run=data["dry_run"],
            stopped=data.get("stopped", ""),
        )
        report.errors = [RowError(**error) for error in data["errors"]]
        report.unmapped_owners = set(data["unmapped_owners"])
        report.unconverted = data.get("unconverted", {})
        return report


class Resolver:
    """Finds reps by CRM e-mail or name and accounts by CRM id or name, loaded once per import."""

    def __init__(self):
        User = get_user_model()
        self.by_email: dict[str, int] = {}
        self.by_name: dict[str, int] = {}
        full_names: dict[str, list[int]] = {}
        for pk, email, first, last in User.objects.filter(is_active=True).values_list(
            "pk", "email", "first_name", "last_name"
        ):
            if email:
                self.by_email.setdefault(email.lower(), pk)
            full = " ".join(f"{first} {last}".lower().split())
            if full:
                full_names.setdefault(full, []).append(pk)
        # A full name two people share identifies nobody.
        self.by_name.update({name: pks[0] for name, pks in full_names.items() if len(pks) == 1})
        for user_id, names, emails in RepProfile.objects.values_list("user_id", "crm_names", "crm_emails"):
            for name in names or []:
                self.by_name[" ".join(str(name).lower().split())] = user_id
            for email in emails or []:
                self.by_email[str(email).lower()] = user_id
        self.account_by_crm_id: dict[str, int] = {}
        self.account_by_name: dict[str, int] = {}
        for pk, name, crm_id in Account.objects.annotate(lower_name=Lower("name")).values_list(
            "pk", "lower_name", "crm_id"
        ):
            self.account_by_name[" ".join(name.split())] = pk
            if crm_id:
                self.account_by_crm_id[crm_id] = pk

    def owner(self, name: str, email: str) -> int | None:
        if email and email.lower() in self.by_email:
            return self.by_email[email.lower()]
        return self.by_name.get(" ".join(name.lower().split())) if name else None

    def account(self, name: str, crm_id: str) -> int | None:
        if crm_id and crm_id in self.account_by_crm_id:
            return self.account_by_crm_id[crm_id]
        return self.account_by_name.get(" ".join(name.lower().split())) if name else None


# The deal fields an import writes; a row whose values all match changes nothing.
WRITTEN_FIELDS = [
    "name",
    "account_id",
    "account_name",
    "owner_id",
    "owner_name",
    "owner_email",
    "amount",
    "currency",
    "stage",
    "status",
    "close_date",
    "amount_reporting",
]


def _deal_values(cleaned: dict, resolver: Resolver, rates: RateTable) -> dict:
    amount = cleaned.get("amount") if cleaned.get("amount") is not None else Decimal("0.00")
    currency = cleaned.get("currency") or "USD"
    return {
        "name": cleaned["name"].strip(),
        "account_id": resolver.account(cleaned.get("account") or "", cleaned.get("account_id") or ""),
        "account_name": (cleaned.get("account") or "").strip(),
        "owner_id": resolver.owner(cleaned.get("owner") or "", cleaned.get("owner_email") or ""),
        "owner_name": " ".join((cleaned.get("owner") or "").split()),
        "owner_email": (cleaned.get("owner_email") or "").lower(),
        "amount": amount,
        "currency": currency,
        "stage": (cleaned.get("stage") or "").strip(),
        "status": cleaned["status"],
        "close_date": cleaned.get("close_date"),
        "amount_reporting": rates.convert(amount, currency, cleaned.get("close_date")),
    }


def _form_errors(form: forms.Form) -> str:
    messages = []
    for name, errors in form.errors.items():
        label = "" if name == "__all__" else f"{name.replace('_', ' ')}: "
        messages.extend(f"{label}{error}" for error in errors)
    return "; ".join(messages)


def _batches(rows: Iterable, size: int) -> Iterator[list]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def import_deals(
    rows: Iterable[dict[str, str]],
    *,
    dry_run: bool = False,
    mapping: dict[str, str] | None = None,
    format_name: str | None = None,
) -> ImportReport:
    """Upserts deals by CRM id in batches; a bad row is reported with its line and skipped.

    ``rows`` are dicts keyed by the source file's column names, optionally carrying their
    line number under ``"__line__"`` (``read_rows`` does this).
    """
    report = ImportReport(dry_run=dry_run)
    resolver = Resolver()
    rates = ExchangeRate.objects.table()
    validator = RowValidator()
    seen: dict[str, int] = {}
    plan: ColumnPlan | None = None
    now = timezone.now()
    unreadable: list[FileEncodingError] = []
    for number, batch in enumerate(_batches(until_unreadable(rows, unreadable), BATCH_SIZE)):
        if plan is None:
            plan = plan_columns([key for key in batch[0] if key != "__line__"], mapping)
            report.format_name = format_name or plan.format_name
            report.columns = plan.columns
        valid: dict[str, tuple[int, dict]] = {}
        for index, row in enumerate(batch, start=number * BATCH_SIZE + 2):
            line = row.get("__line__", index)
            data = {field_name: (row.get(column) or "") for field_name, column in plan.columns.items()}
            crm_id = (data.get("crm_id") or "").strip()
            # csv.DictReader leaves a short row's missing cells None and puts extras under None.
            problem = column_count_problem(row)
            if problem:
                report.fail(line, crm_id, problem)
                continue
            form = validator.bind(data)
            if not form.is_valid():
                report.fail(line, crm_id, _form_errors(form))
                continue
            crm_id = form.cleaned_data["crm_id"].strip()
            if crm_id in seen:
                report.fail(line, crm_id, f"CRM id {crm_id} already appeared on line {seen[crm_id]}")
                continue
            seen[crm_id] = line
            valid[crm_id] = (line, _deal_values(form.cleaned_data, resolver, rates))
        _write_batch(valid, report, dry_run=dry_run, now=now)
    if plan is None:
        report.format_name = format_name or "empty file"
    for error in unreadable:
        report.stopped = f"{error}; nothing from line {error.line} on was imported"
        report.fail(error.line, "", report.stopped)
    return report


def _write_batch(valid: dict[str, tuple[int, dict]], report: ImportReport, *, dry_run: bool, now) -> None:
    existing = Deal.objects.in_bulk(list(valid), field_name="crm_id")
    to_create, to_update = [], []
    for crm_id, (_line, values) in valid.items():
        if values["owner_id"] is None and values["owner_name"]:
            report.unmapped_owners.add(values["owner_name"])
        if values["amount_reporting"] is None:
            currency = values["currency"]
            report.unconverted[currency] = report.unconverted.get(currency, 0) + 1
        deal = existing.get(crm_id)
        if deal is None:
            to_create.append(Deal(crm_id=crm_id, last_imported_at=now, **values))
            continue
        if all(getattr(deal, name) == value for name, value in values.items()):
            report.unchanged += 1
            continue
        for name, value in values.items():
            setattr(deal, name, value)
        deal.last_imported_at = now
        to_update.append(deal)
    report.created += len(to_create)
    report.updated += len(to_update)
    if dry_run:
        return
    with transaction.atomic():
        Deal.objects.bulk_create(to_create, batch_size=500)
        if to_update:
            Deal.objects.bulk_update(to_update, [*WRITTEN_FIELDS, "last_imported_at"], batch_size=500)
        if to_create or to_update:
            attribution.influence_changed()  # bulk writes send no post_save


@task()
def import_deals_file(
    path: str,
    *,
    dry_run: bool = False,
    mapping: dict[str, str] | None = None,
    encoding: str = "utf-8",
) -> dict:
    """The upload page's import as a background task (inline when no worker is configured)."""
    try:
        return import_deals(read_rows(path, encoding=encoding), dry_run=dry_run, mapping=mapping).as_dict()
    finally:
        Path(path).unlink(missing_ok=True)


def run_import_file(
    path: str,
    *,
    dry_run: bool = False,
    mapping: dict[str, str] | None = None,
    encoding: str = "utf-8",
):
    """Enqueues the import: with the immediate backend the result is ready when this returns."""
    return import_deals_file.enqueue(str(path), dry_run=dry_run, mapping=mapping or None, encoding=encoding)


def relink_owner(owner_name: str, user) -> int:
    """Maps a CRM owner name to a rep: every deal of that name is re-linked, the name remembered."""
    normalised = " ".join(owner_name.split())
    with transaction.atomic():
        profile, _ = RepProfile.objects.get_or_create(user=user)
        if normalised.lower() not in {name.lower() for name in profile.crm_names}:
            profile.crm_names = [*profile.crm_names, normalised]
            profile.save(update_fields=["crm_names"])
        same_name = Q(owner_name=normalised) | Q(owner_name__iexact=normalised)
        relinked = Deal.objects.filter(same_name, owner__isnull=True).update(owner=user)
        if relinked:
            attribution.influence_changed()
        return relinked


def unmapped_owner_names():
    """CRM owner names with deals but no rep, with how many deals each has."""
    return (
        Deal.objects.unmapped()
        .values("owner_name")
        .annotate(
            deals=Count("pk"),
            amount=Sum("amount_reporting"),
            unconverted=Count("pk", filter=Q(amount_reporting__isnull=True)),
        )
        .order_by("-deals", "owner_name")
    )
