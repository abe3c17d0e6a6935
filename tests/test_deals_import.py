"""Importing CRM exports: formats, bad rows by line number, idempotent re-imports, owners."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from pytest_django.asserts import assertContains

from leaderboard.importing import import_deals, parse_amount, parse_date, read_rows, relink_owner
from leaderboard.models import Deal, RepProfile

from .factories import make_account, make_rep, make_rep_profile

SALESFORCE = (
    "\ufeffOpportunity Owner,Account Name,Opportunity Name,Type,Amount,Close Date,Stage,"
    "Opportunity ID\n"
    'Riley Rep,Acme Corp,Acme renewal,Renewal,"$12,500.00",11/3/2026,Closed Won,006A1\n'
    "Riley Rep,Globex Bank,Globex expansion,New,USD 8000,2026-10-01,Closed Lost,006A2\n"
    'Pat Unknown,Initech Labs,Initech pilot,New,"12.500,00 €",2026-11-03 10:00,Negotiation,006A3\n'
    "Riley Rep,Acme Corp,Broken amount,New,lots,2026-11-03,Closed Won,006A4\n"
    "Riley Rep,Acme Corp,,New,100,2026-11-03,Prospecting,006A5\n"
    "Riley Rep,Acme Corp,Bad date,New,100,31/31/2026,Closed Won,006A6\n"
)
HUBSPOT = (
    "Record ID,Deal Name,Deal Stage,Amount,Close Date,Deal owner,Associated Company,Currency\n"
    "9001,Hooli seats,closedwon,4200,2026-09-30,Riley Rep,Hooli Labs,USD\n"
    "9002,Stark upsell,appointmentscheduled,1000,,Riley Rep,Stark Energy,EUR\n"
)
HUDDLE = (
    "crm_id,name,account,account_id,owner,owner_email,amount,currency,stage,status,close_date\n"
    "H-1,Umbrella deal,,ACC-9,,rep@example.com,2500,GBP,Contract,won,2026-08-01\n"
)


@pytest.fixture
def riley(db):
    return make_rep("rep", first_name="Riley", last_name="Rep")


def _import(text, **kwargs):
    return import_deals(read_rows(StringIO(text)), **kwargs)


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("$12,500.00", "12500.00", "USD"),
        ("USD 12,500", "12500.00", "USD"),
        ("12.500,00 €", "12500.00", "EUR"),
        ("1,250,000", "1250000.00", None),
        ("12,5", "12.50", None),
        ("4200", "4200.00", None),
    ],
)
def test_amounts_in_crm_formats(text, amount, currency):
    assert parse_amount(text) == (Decimal(amount), currency)


@pytest.mark.parametrize("text", ["2026-11-03", "11/3/2026", "2026-11-03 10:00", "2026-11-03T10:00:00Z"])
def test_dates_in_crm_formats(text):
    assert parse_date(text) == date(2026, 11, 3)


def test_salesforce_report_imports_good_rows_and_reports_bad_ones_by_line(riley):
    acme = make_account("Acme Corp")
    report = _import(SALESFORCE)
    assert report.format_name == "Salesforce opportunity report"
    assert (report.created, report.updated, report.unchanged, report.failed) == (3, 0, 0, 3)
    reasons = {error.line: error.reason for error in report.errors}
    assert set(reasons) == {5, 6, 7}
    assert "“lots” is not an amount" in reasons[5]
    assert "deal name is missing" in reasons[6]
    assert "31/31/2026" in reasons[7]
    won = Deal.objects.get(crm_id="006A1")
    assert (won.owner, won.account, won.amount, won.currency, won.status, won.close_date) == (
        riley,
        acme,
        Decimal("12500.00"),
        "USD",
        "won",
        date(2026, 11, 3),
    )
    assert Deal.objects.get(crm_id="006A2").status == "lost"
    euro = Deal.objects.get(crm_id="006A3")
    assert (euro.owner, euro.owner_name, euro.amount, euro.currency, euro.status) == (
        None,
        "Pat Unknown",
        Decimal("12500.00"),
        "EUR",
        "open",
    )
    assert euro.account is None and euro.account_name == "Initech Labs"  # kept as text, not dropped
    assert report.unmapped_owners == {"Pat Unknown"}


def test_reimporting_the_same_file_changes_nothing_and_a_changed_row_updates(riley):
    _import(SALESFORCE)
    before = list(Deal.objects.order_by("pk").values())
    again = _import(SALESFORCE)
    assert (again.created, again.updated, again.unchanged, again.failed) == (0, 0, 3, 3)
    assert list(Deal.objects.order_by("pk").values()) == before
    changed = _import(SALESFORCE.replace('"$12,500.00"', '"$13,000.00"'))
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 2)
    assert Deal.objects.get(crm_id="006A1").amount == Decimal("13000.00")


def test_hubspot_export_and_huddle_format_are_detected(riley):
    make_account("Umbrella Corp", crm_id="ACC-9")
    hubspot = _import(HUBSPOT)
    assert hubspot.format_name == "HubSpot deal export"
    assert hubspot.created == 2 and hubspot.failed == 0
    assert Deal.objects.get(crm_id="9001").status == "won"
    assert Deal.objects.get(crm_id="9002").status == "open"
    huddle = _import(HUDDLE)
    assert huddle.format_name == "Huddle"
    deal = Deal.objects.get(crm_id="H-1")
    assert (deal.owner, deal.account.name, deal.currency) == (riley, "Umbrella Corp", "GBP")


def test_a_column_mapping_reads_unusual_headers(riley):
    text = "Ref,Title,Value,Won on,Result\nX1,Odd export,900,2026-05-05,won\n"
    report = _import(
        text,
        mapping={
            "crm_id": "Ref",
            "name": "Title",
            "amount": "Value",
            "close_date": "Won on",
            "status": "Result",
        },
    )
    assert report.created == 1 and report.failed == 0
    assert Deal.objects.get(crm_id="X1").amount == Decimal("900.00")


def test_duplicate_ids_and_extra_cells_are_reported(riley):
    text = "crm_id,name,amount\nD1,First,10\nD1,Again,20\nD2,Too many,5,extra\n"
    report = _import(text)
    assert report.created == 1
    assert [(error.line, error.crm_id) for error in report.errors] == [(3, "D1"), (4, "D2")]
    assert "already appeared on line 2" in report.errors[0].reason


def test_dry_run_writes_nothing(riley):
    report = _import(SALESFORCE, dry_run=True)
    assert report.created == 3 and report.failed == 3
    assert not Deal.objects.exists()


def test_owners_match_by_profile_names_and_emails(riley):
    other = make_rep("sam")
    make_rep_profile(other, crm_names=["Sam S."], crm_emails=["sam@crm.example"])
    _import("crm_id,name,owner,owner_email\nA,One,Sam S.,\nB,Two,,SAM@crm.example\n")
    assert set(Deal.objects.values_list("owner__username", flat=True)) == {"sam"}


def test_mapping_an_owner_relinks_every_deal_and_is_remembered(riley):
    _import(SALESFORCE)
    other = make_rep("pat")
    assert relink_owner("Pat Unknown", other) == 1
    assert Deal.objects.get(crm_id="006A3").owner == other
    assert RepProfile.objects.get(user=other).crm_names == ["Pat Unknown"]
    _import("crm_id,name,owner\nN1,New one,pat unknown\n")
    assert Deal.objects.get(crm_id="N1").owner == other


def test_batches_keep_counts_across_batch_boundaries(riley, monkeypatch):
    monkeypatch.setattr("leaderboard.importing.BATCH_SIZE", 7)
    rows = "crm_id,name,amount,stage,close_date\n" + "".join(
        f"B{i},Deal {i},{i}00,Closed Won,2026-01-0{1 + i % 9}\n" for i in range(30)
    )
    assert _import(rows).created == 30
    again = _import(rows)
    assert (again.created, again.unchanged) == (0, 30)


def test_command_prints_a_summary_and_failed_lines(riley, tmp_path):
    path = tmp_path / "sf.csv"
    path.write_text(SALESFORCE, encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command("import_deals", str(path), stdout=out, stderr=err)
    assert "Created 3, updated 0, unchanged 0, failed 3 (of 6 rows)." in out.getvalue()
    assert "Line 5 (006A4): amount: “Lots” is not an amount." in out.getvalue() or "Line 5 (006A4)" in out.getvalue()
    assert "Deals:" in err.getvalue()  # the progress bar
    out = StringIO()
    call_command("import_deals", str(path), "--dry-run", stdout=out, stderr=StringIO())
    assert "Dry run, nothing written. Would create 0, updated 0, unchanged 3" in out.getvalue()


def test_command_refuses_a_missing_file():
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_deals", "/nonexistent/deals.csv")


def test_upload_page_shows_the_report(manager_client, riley):
    upload = SimpleUploadedFile("sf.csv", SALESFORCE.encode("utf-8"), content_type="text/csv")
    response = manager_client.post(reverse("leaderboard_import"), {"file": upload}, follow=True)
    assertContains(response, "Salesforce opportunity report")
    assertContains(response, "Rows that failed")
    assertContains(response, '<td class="num">5</td>', html=False)
    assertContains(response, "is not an amount")
    assertContains(response, "map them to reps")
    assert Deal.objects.count() == 3


def test_upload_page_rejects_a_file_that_is_not_csv(manager_client):
    upload = SimpleUploadedFile("deals.xlsx", b"PK\x03\x04\x00\x00binary", content_type="application/octet-stream")
    response = manager_client.post(reverse("leaderboard_import"), {"file": upload})
    assertContains(response, "This is not a CSV file")
    assert not Deal.objects.exists()


def test_reps_get_a_clear_403_on_import_pages(rep_client):
    for name in ("leaderboard_import", "leaderboard_owners"):
        response = rep_client.get(reverse(name))
        assertContains(response, "Only managers can import deals", status_code=403)


def test_unmapped_owners_page_maps_a_name(manager_client, riley):
    _import(SALESFORCE)
    page = manager_client.get(reverse("leaderboard_owners"))
    assertContains(page, "Pat Unknown")
    response = manager_client.post(
        reverse("leaderboard_owners"), {"owner_name": "Pat Unknown", "rep": "rep"}, follow=True
    )
    assertContains(response, "Linked 1 deal(s) of “Pat Unknown”")
    assertContains(response, "Nothing to map")
    bad = manager_client.post(reverse("leaderboard_owners"), {"owner_name": "X", "rep": "nobody"}, follow=True)
    assertContains(bad, "No active user is called “nobody”")


# The worker recycles database connections between tasks, which a test transaction cannot survive.
@pytest.mark.django_db(transaction=True)
def test_with_a_worker_configured_the_upload_runs_in_the_background(manager_client, riley, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    upload = SimpleUploadedFile("sf.csv", SALESFORCE.encode("utf-8"), content_type="text/csv")
    response = manager_client.post(reverse("leaderboard_import"), {"file": upload})
    assert response.status_code == 302
    waiting = manager_client.get(response["Location"])
    assertContains(waiting, "The import is running in the background")
    assert not Deal.objects.exists()
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO())
    done = manager_client.get(response["Location"])
    assertContains(done, "Salesforce opportunity report")
    assertContains(done, "is not an amount")
    assert Deal.objects.count() == 3


# A Salesforce report with 14 columns, as the truncated export had.
WIDE_HEADER = (
    "Opportunity Owner,Account Name,Opportunity Name,Type,Amount,Close Date,Stage,"
    "Opportunity ID,Lead Source,Probability (%),Fiscal Period,Age,Next Step,Created Date\n"
)
WIDE_ROW = (
    "Riley Rep,Acme Corp,Acme renewal,Renewal,12500,2026-11-03,Closed Won,006W{n},Web,100,Q4-2026,30,,2026-10-01\n"
)


def test_a_truncated_row_says_how_many_columns_it_has(riley):
    """A row cut off after 4 cells is reported by its column count, not as a missing CRM id."""
    text = WIDE_HEADER + WIDE_ROW.format(n=1) + "Riley Rep,Acme Corp,Cut short,Renewal\n"
    text += WIDE_ROW.format(n=3) + WIDE_ROW.format(n=4).rstrip("\n") + ",extra,cells\n"
    report = _import(text)
    assert report.created == 2
    assert [(error.line, error.reason) for error in report.errors] == [
        (3, "line 3 has 4 columns, expected 14"),
        (5, "line 5 has 16 columns, expected 14"),
    ]


def _latin1_export(bad_line: int = 120) -> bytes:
    """A Huddle CSV well past 4 KB whose line ``bad_line`` has a Latin-1 byte (ü as 0xFC)."""
    lines = ["crm_id,name,account,amount,status,close_date"]
    for number in range(2, bad_line + 20):
        account = "Müller GmbH" if number == bad_line else "Acme Corp"
        lines.append(f"L-{number},Deal on line {number},{account},1000,won,2026-11-03")
    return ("\n".join(lines) + "\n").encode("latin-1")


def test_upload_names_the_line_that_is_not_utf8_and_imports_with_latin1(manager_client, riley):
    data = _latin1_export()
    assert data.index(b"\xfc") > 4096
    upload = SimpleUploadedFile("deals.csv", data, content_type="text/csv")
    response = manager_client.post(reverse("leaderboard_import"), {"file": upload})
    assertContains(
        response,
        "Line 120 is not UTF-8; save the file as UTF-8 or choose Latin-1 / Windows-1252.",
    )
    assertContains(response, "Text encoding")
    assert not Deal.objects.exists()
    upload = SimpleUploadedFile("deals.csv", data, content_type="text/csv")
    response = manager_client.post(reverse("leaderboard_import"), {"file": upload, "encoding": "latin-1"}, follow=True)
    assertContains(response, "Created")
    assert Deal.objects.count() == 138
    assert Deal.objects.get(crm_id="L-120").account_name == "Müller GmbH"


def test_command_names_the_unreadable_line_and_reads_the_encoding_given(riley, tmp_path):
    path = tmp_path / "deals.csv"
    path.write_bytes(_latin1_export())
    with pytest.raises(CommandError, match="line 120 is not UTF-8; save the file as UTF-8"):
        call_command("import_deals", str(path), stdout=StringIO(), stderr=StringIO())
    assert not Deal.objects.filter(crm_id="L-120").exists()
    out = StringIO()
    call_command("import_deals", str(path), "--encoding", "cp1252", stdout=out, stderr=StringIO())
    assert "failed 0 (of 138 rows)" in out.getvalue()
    assert Deal.objects.get(crm_id="L-120").account_name == "Müller GmbH"
