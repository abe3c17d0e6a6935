"""The leaderboard in the browser: a manager imports a CRM report, maps an owner and reads the
revenue, influence and analysis; a rep sees their rank."""

from datetime import timedelta

import pytest
from django.utils import timezone

from knowledge.reactions import record_view
from leaderboard import activity
from leaderboard.models import ActivityEvent, Deal

from ..factories import make_account, make_deal, make_manager, make_rep, make_rep_profile, make_tip
from .conftest import pause, screenshot, screenshots, type_keys

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
Verb = ActivityEvent.Verb


def _salesforce_csv() -> bytes:
    today = timezone.localdate()
    us = f"{today.month}/{today.day}/{today.year}"
    return (
        "\ufeffOpportunity Owner,Account Name,Opportunity Name,Amount,Close Date,Stage,"
        "Opportunity ID\n"
        f'Riley Rep,Acme Corp,Acme renewal,"$40,000.00",{us},Closed Won,006A1\n'
        f"Pat Former,Globex Bank,Globex expansion,USD 8000,{today.isoformat()},Closed Won,006A2\n"
        f"Riley Rep,Acme Corp,Acme add-on,lots,{us},Closed Won,006A3\n"
        f"Riley Rep,Acme Corp,,100,{us},Prospecting,006A4\n"
        f'Sam Seller,Initech Labs,Initech pilot,"12.500,00 €",{today.isoformat()} 10:00,'
        "Negotiation,006A5\n"
    ).encode()


def _team():
    """Twelve reps sharing and winning in step; Riley read Sam's Acme tip before winning Acme."""
    acme = make_account("Acme Corp")
    make_account("Globex Bank")
    riley = make_rep("rep", first_name="Riley", last_name="Rep")
    sam = make_rep("sam", first_name="Sam", last_name="Seller")
    for user in (riley, sam):
        make_rep_profile(user, team="East", start_date=timezone.localdate() - timedelta(days=900))
    tip = make_tip("Acme signs after a security review", author=sam, account=acme)
    record_view(riley, tip)
    ActivityEvent.objects.filter(verb=Verb.CONTENT_VIEWED).update(created_at=timezone.now() - timedelta(days=3))
    for number in range(10):
        user = make_rep(f"r{number:02d}", first_name=f"Rep{number:02d}", last_name="Bench")
        make_rep_profile(user, team="West", start_date=timezone.localdate() - timedelta(days=150 * number))
        for _ in range(number):
            activity.record(Verb.SHARED_MICROPOST, actor=user, owner=user)
        make_deal(f"T-{number}", owner=user, amount=f"{(number + 1) * 1000}.00")
    return riley, sam


def test_manager_imports_maps_an_owner_and_reads_revenue_influence_and_analysis(page, sign_in):
    riley, _sam = _team()
    manager = make_manager("manager", first_name="Mona")
    sign_in(manager)

    page.goto("/leaderboard/import/")
    page.get_by_label("CRM export (CSV)").set_input_files(
        {"name": "opportunities.csv", "mimeType": "text/csv", "buffer": _salesforce_csv()}
    )
    page.get_by_role("button", name="Import").click()
    page.get_by_role("heading", name="Rows that failed").wait_for()
    screenshot(page, "leaderboard-import-report")
    counts = page.locator(".import-counts").inner_text()
    assert "Created\n3" in counts and "Failed\n2" in counts
    failed = page.locator("table").inner_text()
    assert "4\t006A3\tamount: “lots” is not an amount." in failed
    assert "5\t006A4\tname: The deal name is missing." in failed
    assert page.get_by_text("Read as: Salesforce opportunity report").is_visible()

    page.goto("/leaderboard/import/")
    page.get_by_label("CRM export (CSV)").set_input_files(
        {"name": "opportunities.csv", "mimeType": "text/csv", "buffer": _salesforce_csv()}
    )
    page.get_by_role("button", name="Import").click()
    page.locator(".import-counts").wait_for()
    counts = page.locator(".import-counts").inner_text()
    assert "Created\n0" in counts and "Updated\n0" in counts and "Unchanged\n3" in counts
    assert Deal.objects.filter(crm_id__startswith="006").count() == 3

    page.get_by_role("link", name="map them to reps").click()
    type_keys(page.get_by_label("Rep for Pat Former"), "Sam Seller")
    pause(page)
    page.get_by_role("row", name="Pat Former").get_by_role("button", name="Link deals").click()
    page.get_by_text("Linked 1 deal(s) of “Pat Former”").wait_for()
    assert Deal.objects.get(crm_id="006A2").owner.username == "sam"

    page.goto("/leaderboard/")
    header = page.locator("table.board thead").inner_text()
    assert "Closed-won revenue" in header and "Influenced revenue" in header
    riley_row = page.get_by_role("row", name="Riley Rep")
    assert "$40,000" in riley_row.inner_text()
    sam_row = page.get_by_role("row", name="Sam Seller")
    assert "$8,000" in sam_row.inner_text() and "$40,000" in sam_row.inner_text()  # won + influenced
    screenshot(page, "leaderboard-manager")
    sam_row.get_by_role("link", name="$40,000").click()
    page.get_by_role("heading", name="Influenced by Sam's tips").wait_for()
    assert "Acme renewal" in page.locator("#influence").inner_text()
    screenshot(page, "leaderboard-drill-down")

    page.goto("/leaderboard/analysis/")
    assert page.get_by_text("Association, not proof of cause.").is_visible()
    assert "n = 12" in page.locator(".stat-grid").inner_text()
    page.wait_for_function("() => window.Chart && Chart.getChart('sharing-chart')")
    screenshot(page, "leaderboard-analysis")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "leaderboard-analysis-phone")


def test_a_rep_sees_their_rank_and_the_tips_that_influenced_deals(page, sign_in):
    riley, sam = _team()
    make_deal("W-1", owner=riley, account=sam.tips.get().account, amount="1.00")
    sign_in(sam)
    page.goto("/leaderboard/")
    assert page.get_by_role("heading", name="Your rank: #").is_visible()
    assert "Closed-won revenue" not in page.locator("table.board").inner_text()
    screenshot(page, "leaderboard-rep")
    page.get_by_role("link", name="See what earned them").click()
    influence = page.locator("#influence").inner_text()
    assert "Acme signs after a security review helped close 1 won deal" in influence
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/leaderboard/")
    card, header = _box(page.locator("tr.board__row").first), _box(page.locator(".site-header"))
    assert card["y"] < 300, (card, header)  # the rank line, then the cards (290 px measured)
    summary = page.locator(".board-filters-fold summary").inner_text()
    assert summary == "Period and team: This quarter · All teams"  # one line, no dates
    screenshot(page, "leaderboard-rep-phone")


def test_a_manager_maps_an_owner_by_typing_a_name_and_reading_the_suggestions(page, sign_in):
    """Typing part of a name offers the people it fits; an ambiguous name is refused, kept, explained."""
    make_rep("mbaker", first_name="Maya", last_name="Baker")
    make_rep("mchen", first_name="Maya", last_name="Chen")
    make_rep("zoe", first_name="Zoë", last_name="Ångström")
    for number in range(2):
        make_deal(f"U-{number}", owner=None, owner_name="M. Baker (old CRM)")
    sign_in(make_manager("manager", first_name="Mona"))
    page.goto("/leaderboard/owners/")
    box = page.get_by_label("Rep for M. Baker (old CRM)")

    type_keys(box, "maya")
    options = page.locator("#people-options option")
    options.nth(1).wait_for(state="attached")
    assert [options.nth(n).get_attribute("value") for n in range(options.count())] == [
        "Maya Baker (mbaker)",
        "Maya Chen (mchen)",
    ]
    pause(page)
    page.get_by_role("button", name="Link deals").click()
    alert = page.get_by_role("alert").filter(has_text="could be 2 people")
    alert.wait_for()
    assert "Maya Baker (mbaker), Maya Chen (mchen). Pick one from the suggestions." in alert.inner_text()
    box = page.get_by_label("Rep for M. Baker (old CRM)")
    assert box.input_value() == "maya"  # what was typed is still there

    box.press("End")
    type_keys(box, " bak")
    page.locator('#people-options option[value="Maya Chen (mchen)"]').wait_for(state="detached")
    assert page.locator("#people-options option").get_attribute("value") == "Maya Baker (mbaker)"
    type_keys(box, "er")
    screenshots(page, "leaderboard-owner-suggestions")
    pause(page)
    page.get_by_role("button", name="Link deals").click()
    page.get_by_text("Linked 2 deal(s) of “M. Baker (old CRM)” to Maya Baker").wait_for()
    assert set(Deal.objects.values_list("owner__username", flat=True)) == {"mbaker"}


def _box(locator) -> dict:
    locator.wait_for()
    return locator.bounding_box()


def test_the_board_fits_a_laptop_and_turns_into_cards_on_a_phone(page, sign_in):
    """At 1366 px a manager reads revenue without scrolling sideways; at 390 px each rep is a card
    near the top of the page."""
    _team()
    # The demo's widest row: a long name and team, seven-figure revenue, two-digit counts.
    long_named = make_rep("maximiliana", first_name="Maximiliana", last_name="Vandenberghe")
    make_rep_profile(long_named, team="Enterprise North", start_date=timezone.localdate() - timedelta(days=400))
    make_deal("T-BIG", owner=long_named, amount="1352000.00")
    for _ in range(12):
        activity.record(Verb.SHARED_MICROPOST, actor=long_named, owner=long_named)
    sign_in(make_manager("manager", first_name="Mona"))
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/leaderboard/")
    for heading in ("Closed-won revenue", "Deals won", "Win rate", "Influenced revenue"):
        box = _box(page.locator("table.board thead th").filter(has_text=heading))
        assert 0 <= box["x"] and box["x"] + box["width"] <= 1366, (heading, box)
    wrap = page.locator(".board-wrap")
    assert wrap.evaluate("element => element.scrollWidth <= element.clientWidth"), "sideways scroll"
    assert page.get_by_role("link", name="Scoring weights").is_visible()
    screenshots(page, "leaderboard-widths")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/leaderboard/")
    first = page.locator("tr.board__row").first
    card = _box(first)
    header = _box(page.locator(".site-header"))
    assert card["width"] <= 390 - 16 and card["x"] >= 8  # a card inside the screen, not a table row
    assert "Closed-won revenue\n$1,352,000" in first.inner_text()  # each figure under its label
    assert card["y"] < 300, (card, header)
    page.screenshot(path=str(screenshot(page, "leaderboard-cards-phone").with_name("leaderboard-cards-phone-top.png")))
    assert not page.get_by_label("Period", exact=True).is_visible()  # folded: ranking first
    page.get_by_text("Period and team:").click()
    assert page.get_by_label("Period", exact=True).is_visible()

    page.get_by_role("link", name="Scoring weights").click()
    page.get_by_role("heading", name="Leaderboard scoring", exact=True).wait_for()
    assert page.get_by_label("Tip shared").input_value() == "5"


def test_reps_do_not_get_the_scoring_weights_link(page, sign_in):
    riley, _sam = _team()
    sign_in(riley)
    page.goto("/leaderboard/")
    page.locator("tr.board__row").first.wait_for()
    assert page.get_by_role("link", name="Scoring weights").count() == 0
