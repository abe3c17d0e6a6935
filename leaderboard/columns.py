"""Which column of a CRM export feeds which deal field: Huddle's own header, the names
Salesforce and HubSpot use, and the format a header row looks like."""

from dataclasses import dataclass, field

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
