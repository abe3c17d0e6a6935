"""Deals in several currencies: kept as the CRM sent them, converted at the close date's rate,
never added across currencies, and named when no rate converts them."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from knowledge.reactions import record_view
from leaderboard import activity
from leaderboard.csv_reading import read_rows
from leaderboard.currencies import import_rates
from leaderboard.importing import import_deals
from leaderboard.models import ActivityEvent, Deal, ExchangeRate
from leaderboard.scoring import weights_for

from .factories import make_account, make_deal, make_rep_profile, make_tip
from .test_leaderboard import MANAGER_QUERIES

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
CLOSED = TODAY - timedelta(days=1)  # in this quarter's board unless the quarter began today
PERIOD = {"period": "custom", "start": (TODAY - timedelta(days=30)).isoformat(), "end": TODAY}

HUBSPOT = (
    "Record ID,Deal Name,Deal Stage,Amount,Close Date,Deal owner,Associated Company\n"
    f'9001,Globex rollout,closedwon,"1.250.000,00 €",{CLOSED.isoformat()},Peer Rep,Globex\n'
    f"9002,Hooli seats,closedwon,10000,{CLOSED.isoformat()},Peer Rep,Hooli\n"
)


def make_rate(currency: str, rate: str, valid_from: date, to_currency: str = "USD"):
    return ExchangeRate.objects.create(
        currency=currency, rate=Decimal(rate), valid_from=valid_from, to_currency=to_currency
    )


@pytest.fixture
def peer(other_rep):
    other_rep.first_name, other_rep.last_name = "Peer", "Rep"
    other_rep.save()
    make_rep_profile(other_rep, team="West")
    activity.record(ActivityEvent.Verb.SHARED_TIP, actor=other_rep, owner=other_rep)
    weights_for()
    return other_rep


@pytest.fixture
def euro_deal(peer):
    """HubSpot's "1.250.000,00 €" and a $10,000 deal, both won by peer, and a EUR rate."""
    make_rate("EUR", "1.0816", TODAY - timedelta(days=90))
    report = import_deals(read_rows(io.StringIO(HUBSPOT)))
    assert (report.created, report.failed) == (2, 0)
    return Deal.objects.get(crm_id="9001")


def test_a_euro_deal_keeps_its_currency_and_is_converted_at_its_close_date(euro_deal):
    assert (euro_deal.amount, euro_deal.currency) == (Decimal("1250000.00"), "EUR")
    assert euro_deal.amount_reporting == Decimal("1352000.00")


def test_the_board_adds_converted_amounts_only(manager_client, euro_deal):
    response = manager_client.get(reverse("leaderboard"), PERIOD)
    assertContains(response, "$1,362,000")  # 1,352,000 + 10,000
    assertNotContains(response, "$1,260,000")  # the old sum of euros and dollars
    assertContains(response, "Revenue is in USD")


def test_the_drill_down_shows_the_original_beside_the_converted_figure(manager_client, euro_deal):
    response = manager_client.get(reverse("leaderboard_rep", args=["peer"]), PERIOD)
    assertContains(response, "€1,250,000.00 ≈ $1,352,000")
    assertNotContains(response, "$1,250,000 EUR")
    assertContains(response, "$10,000")


def test_each_deal_uses_the_latest_rate_on_or_before_its_close_date(peer):
    make_rate("EUR", "1.05", date(2026, 1, 1))
    make_rate("EUR", "1.10", date(2026, 7, 1))
    spring = make_deal("E-1", owner=peer, amount="1000", currency="EUR", close_date=date(2026, 3, 15))
    summer = make_deal("E-2", owner=peer, amount="1000", currency="EUR", close_date=date(2026, 7, 1))
    early = make_deal("E-3", owner=peer, amount="1000", currency="EUR", close_date=date(2025, 12, 31))
    assert [deal.amount_reporting for deal in (spring, summer, early)] == [
        Decimal("1050.00"),
        Decimal("1100.00"),
        None,
    ]


def test_deals_without_a_rate_are_left_out_and_named(manager_client, peer):
    make_deal("G-1", owner=peer, amount="5000", currency="GBP", close_date=CLOSED)
    make_deal("G-2", owner=peer, amount="7000", currency="GBP", close_date=CLOSED)
    make_deal("U-1", owner=peer, amount="2500", close_date=CLOSED)
    board = manager_client.get(reverse("leaderboard"), PERIOD)
    assertContains(board, "$2,500")
    assertNotContains(board, "$14,500")
    assertContains(board, "2 deals in GBP have no exchange rate, so they are left out")
    assertContains(board, reverse("wagtailsnippets_leaderboard_exchangerate:list"))
    drill_down = manager_client.get(reverse("leaderboard_rep", args=["peer"]), PERIOD)
    assertContains(drill_down, '£5,000.00 <span class="badge badge--stale">no GBP rate')
    assertContains(drill_down, "2 deals in GBP have no exchange rate")
    analysis = manager_client.get(reverse("leaderboard_analysis"), PERIOD)
    assertContains(analysis, "2 deals in GBP have no exchange rate")


def test_a_rate_added_in_the_admin_converts_the_waiting_deals(manager_client, peer):
    make_deal("G-1", owner=peer, amount="5000", currency="GBP", close_date=CLOSED)
    response = manager_client.post(
        reverse("wagtailsnippets_leaderboard_exchangerate:add"),
        {"currency": "gbp", "rate": "1.2650", "valid_from": "2026-01-01", "to_currency": ""},
    )
    assert response.status_code == 302
    assert (ExchangeRate.objects.get().currency, ExchangeRate.objects.get().to_currency) == (
        "GBP",
        "USD",
    )
    board = manager_client.get(reverse("leaderboard"), PERIOD)
    assertContains(board, "$6,325")
    assertNotContains(board, "no exchange rate")
    rate = ExchangeRate.objects.get()
    manager_client.post(reverse("wagtailsnippets_leaderboard_exchangerate:delete", args=[rate.pk]))
    assert not ExchangeRate.objects.exists()
    assertContains(manager_client.get(reverse("leaderboard"), PERIOD), "1 deal in GBP has no exchange rate")


def test_managers_set_the_reporting_currency_in_the_scoring_settings(manager_client, euro_deal):
    from wagtail.models import Site

    url = f"/admin/settings/leaderboard/scoringsettings/{Site.objects.get(is_default_site=True).pk}/"
    form = {**weights_for().weights(), "influence_window_days": 90, "reporting_currency": "eur"}
    assert manager_client.post(url, form).status_code == 302
    assert weights_for().reporting_currency == "EUR"
    euro_deal.refresh_from_db()
    assert euro_deal.amount_reporting == euro_deal.amount
    bad = manager_client.post(url, {**form, "reporting_currency": "euro"})
    assertContains(bad, "Ensure this value has at most 3 characters")


def test_the_admin_refuses_a_second_rate_for_the_same_day_and_a_rate_into_itself(manager_client):
    make_rate("GBP", "1.2650", date(2026, 1, 1))
    add = reverse("wagtailsnippets_leaderboard_exchangerate:add")
    same_day = manager_client.post(
        add, {"currency": "GBP", "rate": "1.3", "valid_from": "2026-01-01", "to_currency": ""}
    )
    assertContains(same_day, "already exists")
    into_itself = manager_client.post(
        add, {"currency": "usd", "rate": "1", "valid_from": "2026-01-01", "to_currency": ""}
    )
    assertContains(into_itself, "A currency needs no rate into itself.")
    assert ExchangeRate.objects.count() == 1
    listing = manager_client.get(reverse("wagtailsnippets_leaderboard_exchangerate:list"))
    assertContains(listing, "Import CSV")


def test_reps_cannot_edit_rates(rep_client):
    response = rep_client.get(reverse("wagtailsnippets_leaderboard_exchangerate:list"))
    assert response.status_code in (302, 403)
    assert rep_client.get(reverse("leaderboard_rates_import")).status_code in (302, 403)


def test_a_new_reporting_currency_converts_every_deal_again(manager_client, euro_deal):
    settings = weights_for()
    settings.reporting_currency = "EUR"
    settings.save()
    euro_deal.refresh_from_db()
    assert euro_deal.amount_reporting == Decimal("1250000.00")
    board = manager_client.get(reverse("leaderboard"), PERIOD)
    assertContains(board, "€1,250,000")
    assertContains(board, "1 deal in USD has no exchange rate")
    make_rate("USD", "0.92", date(2026, 1, 1), to_currency="EUR")
    board = manager_client.get(reverse("leaderboard"), PERIOD)
    assertContains(board, "€1,259,200")  # 1,250,000 + 10,000 × 0.92


def test_influenced_revenue_adds_converted_amounts(manager_client, rep, peer):
    acme = make_account("Acme Corp")
    tip = make_tip("Acme buys on security reviews", author=rep, account=acme)
    record_view(peer, tip)
    ActivityEvent.objects.filter(verb="content_viewed").update(created_at=timezone.now() - timedelta(days=10))
    make_rate("EUR", "1.10", TODAY - timedelta(days=60))
    make_deal("I-1", owner=peer, account=acme, amount="10000", currency="EUR", close_date=TODAY)
    make_deal("I-2", owner=peer, account=acme, amount="3000", currency="CHF", close_date=TODAY)
    board = manager_client.get(reverse("leaderboard"), {**PERIOD, "end": TODAY})
    assertContains(board, "$11,000</a>")  # rep's influenced revenue: the CHF deal has no rate
    assertContains(board, "1 deal in CHF has no exchange rate")
    page = manager_client.get(tip.url)
    assertContains(page, "2 won deals worth $11,000")
    assertContains(page, "€10,000.00 ≈ $11,000")
    assertContains(page, "1 deal in CHF has no exchange rate")


@pytest.mark.parametrize("extra_deals", [1, 12])
def test_mixed_currencies_cost_no_extra_query(manager_client, euro_deal, extra_deals, django_assert_num_queries):
    make_rate("GBP", "1.2650", TODAY - timedelta(days=90))
    for number in range(extra_deals):
        currency = ["CHF", "GBP", "EUR"][number % 3]
        make_deal(f"M-{number}", owner=euro_deal.owner, amount="100", currency=currency, close_date=CLOSED)
    manager_client.get(reverse("leaderboard"))
    with django_assert_num_queries(MANAGER_QUERIES):
        response = manager_client.get(reverse("leaderboard"))
    assertContains(response, "in CHF")


def test_the_board_csv_names_its_currency_and_the_deals_left_out(manager_client, euro_deal):
    make_deal("G-1", owner=euro_deal.owner, amount="5000", currency="GBP", close_date=CLOSED)
    response = manager_client.get(reverse("leaderboard_csv"), PERIOD)
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    peer_row = next(row for row in rows if row["username"] == "peer")
    assert (peer_row["closed_won_revenue"], peer_row["currency"]) == ("1362000.00", "USD")
    assert peer_row["won_deals_without_rate"] == "1"


RATES = 'currency,rate,valid_from\nEUR,"1,0816",2026-10-01\nGBP,1.2650,2026-10-01\n'


def test_rates_import_from_csv_names_bad_lines_and_never_duplicates(manager_client, peer):
    bad = RATES + "gbp,abc,2026-11-01\nCHF,1.1\nJPY,-1,2026-10-01\nEUR,1.09,2026-10-01\n"
    upload = SimpleUploadedFile("rates.csv", bad.encode(), content_type="text/csv")
    response = manager_client.post(reverse("leaderboard_rates_import"), {"file": upload})
    assertContains(response, "Created 2, updated 0, unchanged 0, failed 4.")
    assertContains(response, "<td>4</td><td>GBP</td><td>rate: “abc” is not a rate.</td>", html=True)
    assertContains(response, "line 5 has 2 columns, expected 3")
    assertContains(response, "The rate must be more than zero.")
    assertContains(response, "the rate for EUR from 2026-10-01 already appeared on line 2")
    again = manager_client.post(
        reverse("leaderboard_rates_import"),
        {"file": SimpleUploadedFile("rates.csv", RATES.encode(), content_type="text/csv")},
    )
    assertContains(again, "Created 0, updated 0, unchanged 2, failed 0.")
    assert ExchangeRate.objects.count() == 2
    changed = RATES.replace("1.2650", "1.27")
    report = import_rates(read_rows(io.StringIO(changed)))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert ExchangeRate.objects.get(currency="GBP").rate == Decimal("1.27")


def test_rates_import_converts_the_deals_and_exports_back(manager_client, peer):
    deal = make_deal("G-1", owner=peer, amount="1000", currency="GBP", close_date=date(2026, 11, 2))
    assert deal.amount_reporting is None
    import_rates(read_rows(io.StringIO(RATES)))
    deal.refresh_from_db()
    assert deal.amount_reporting == Decimal("1265.00")
    response = manager_client.get(reverse("leaderboard_rates_export"))
    text = b"".join(response.streaming_content).decode()
    assert text.splitlines() == [
        "currency,rate,valid_from,to_currency",
        "EUR,1.0816,2026-10-01,USD",
        "GBP,1.265,2026-10-01,USD",
    ]


def test_rates_import_names_the_line_that_is_not_utf8(manager_client):
    data = (
        "currency,rate,valid_from,note\nEUR,1.1,2026-11-01,\nGBP,1.2,2026-11-01,\n"
        "SEK,0.1,2026-11-01,\nCHF,1.1,2026-11-01,Zürich\n"
    ).encode("latin-1")
    response = manager_client.post(
        reverse("leaderboard_rates_import"),
        {"file": SimpleUploadedFile("rates.csv", data, content_type="text/csv")},
    )
    assertContains(response, "line 5 is not UTF-8; save the file as UTF-8 or choose Latin-1")


def test_unmapped_owners_add_converted_amounts(manager_client, peer):
    make_rate("EUR", "2", date(2026, 1, 1))
    make_deal("X-1", amount="1000", currency="EUR", owner_name="Gone Person", close_date=CLOSED)
    make_deal("X-2", amount="500", currency="GBP", owner_name="Gone Person", close_date=CLOSED)
    response = manager_client.get(reverse("leaderboard_owners"))
    assertContains(response, "$2,000")
    assertContains(response, "+ 1 without a rate")


def test_the_drill_down_csv_has_the_original_and_the_converted_amount(manager_client, euro_deal):
    make_deal("G-1", owner=euro_deal.owner, amount="5000", currency="GBP", close_date=CLOSED)
    response = manager_client.get(reverse("leaderboard_rep_deals_csv", args=["peer"]), PERIOD)
    rows = {row["crm_id"]: row for row in csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))}
    assert [rows["9001"][key] for key in ("amount", "currency", "converted_amount")] == [
        "1250000.00",
        "EUR",
        "1352000.00",
    ]
    assert (rows["G-1"]["converted_amount"], rows["G-1"]["reporting_currency"]) == ("", "USD")


def test_the_demo_shows_converted_euros_and_pounds_and_names_francs(client):
    """``make run``'s data: EUR and GBP deals with monthly rates, two CHF deals without."""
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    assert ExchangeRate.objects.filter(currency="EUR").count() >= 12
    converted = Deal.objects.filter(currency__in=["EUR", "GBP"], amount_reporting__isnull=False)
    assert converted.count() >= 10
    assert not Deal.objects.filter(currency__in=["EUR", "GBP"], amount_reporting__isnull=True).exists()
    client.login(username="manager", password="huddle-demo")
    board = client.get(reverse("leaderboard"))
    assertContains(board, "2 deals in CHF have no exchange rate")
    deal = Deal.objects.filter(currency="EUR", status="won", owner__isnull=False).first()
    day = deal.close_date.isoformat()
    drill_down = client.get(
        reverse("leaderboard_rep", args=[deal.owner.username]),
        {"period": "custom", "start": day, "end": day},
    )
    assertContains(drill_down, f"€{deal.amount:,.2f} ≈ ${deal.amount_reporting:,.0f}")


def test_the_api_takes_a_currency_and_says_what_the_board_is_in(client, manager, peer):
    from leaderboard.models import ApiToken

    token = ApiToken(user=manager, name="CRM webhook")
    key = token.issue_key()
    token.save()
    make_rate("EUR", "1.0816", TODAY - timedelta(days=90))
    deal = {
        "crm_id": "API-1",
        "name": "Globex rollout",
        "owner": "Peer Rep",
        "amount": "1.250.000,00 €",
        "stage": "Closed Won",
        "close_date": CLOSED.isoformat(),
    }
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    pushed = client.post("/api/deals", deal, content_type="application/json", **auth).json()
    assert (pushed["deal"]["currency"], pushed["deal"]["amount_reporting"]) == ("EUR", "1352000.00")
    make_deal("G-1", owner=peer, amount="5000", currency="GBP", close_date=CLOSED)
    board = client.get("/api/leaderboard", PERIOD, **auth).json()
    assert (board["currency"], board["deals_without_rate"]) == ("USD", {"GBP": 1})
    peer_row = next(row for row in board["rows"] if row["username"] == "peer")
    assert peer_row["closed_won_revenue"] == "1352000.00"
    assert peer_row["deals_without_rate"] == {"GBP": 1}


def test_the_import_report_names_deals_that_no_rate_converts(manager_client, peer):
    make_rate("EUR", "1.0816", TODAY - timedelta(days=90))
    text = HUBSPOT + f'9003,Umbrella UK,closedwon,"£5,000.00",{CLOSED.isoformat()},Peer Rep,Umbrella\n'
    upload = SimpleUploadedFile("hubspot.csv", text.encode(), content_type="text/csv")
    response = manager_client.post(reverse("leaderboard_import"), {"file": upload}, follow=True)
    assertContains(response, "No exchange rate for the close date yet: 1 deal in GBP.")
    assertContains(response, reverse("leaderboard_rates_import"))
