"""Importing deals from CRM exports: header detection, per-row validation, batched upserts."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
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
from .columns import ColumnPlan, plan_columns
from .csv_reading import FileEncodingError, column_count_problem, count_rows, read_rows, until_unreadable
from .deal_rows import RowValidator, parse_amount, parse_date
from .models import Deal, ExchangeRate, RateTable, RepProfile

# Re-exported: the command and the bench read files here; the tests parse amounts and dates here.
__all__ = ["count_rows", "parse_amount", "parse_date", "read_rows"]

BATCH_SIZE = 1000
MAX_REPORTED_ERRORS = 1000


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
