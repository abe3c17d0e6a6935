"""Currencies in the browser: a manager sees that a pound deal has no rate, adds one in the
admin by typing it, and reads the converted revenue with the original beside it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from leaderboard import activity
from leaderboard.models import ActivityEvent

from ..factories import make_deal, make_manager, make_rep, make_rep_profile
from .conftest import pause, screenshots, type_keys

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_manager_adds_a_missing_rate_and_reads_converted_revenue(page, sign_in):
    riley = make_rep("rep", first_name="Riley", last_name="Rep")
    make_rep_profile(riley, team="East")
    activity.record(ActivityEvent.Verb.SHARED_TIP, actor=riley, owner=riley)
    closed = timezone.localdate() - timedelta(days=1)
    make_deal("UK-1", owner=riley, amount="5000.00", currency="GBP", close_date=closed, name="Initech UK rollout")
    make_deal("US-1", owner=riley, amount="10000.00", close_date=closed)
    sign_in(make_manager())
    period = f"?period=custom&start={closed - timedelta(days=30)}&end={closed}"

    page.goto("/leaderboard/" + period)
    warning = page.locator(".missing-rates")
    assert "1 deal in GBP has no exchange rate, so it is left out of these totals" in warning.inner_text()
    row = page.locator("tr", has_text="Riley Rep")
    assert "$10,000" in row.inner_text()  # the pounds are not added in as dollars
    screenshots(page, "currencies-missing-rate")

    pause(page)
    warning.get_by_role("link", name="Add exchange rates").click()
    page.wait_for_url("**/admin/snippets/leaderboard/exchangerate/")
    pause(page)
    page.get_by_role("link", name="Add exchange rate").first.click()
    type_keys(page.locator("#id_currency"), "GBP")
    type_keys(page.locator("#id_rate"), "1.2650")
    type_keys(page.locator("#id_valid_from"), f"{closed - timedelta(days=60)}")
    page.keyboard.press("Escape")  # closes the date picker the admin opens
    pause(page)
    page.get_by_role("button", name="Save").first.click()
    page.wait_for_url("**/admin/snippets/leaderboard/exchangerate/")
    assert "1 GBP = 1.265 USD" in page.locator("main").inner_text()

    pause(page)
    page.goto("/leaderboard/" + period)
    assert page.locator(".missing-rates").count() == 0
    assert "$16,325" in page.locator("tr", has_text="Riley Rep").inner_text()
    pause(page)
    page.get_by_role("link", name="Riley Rep").click()
    deals = page.locator("section", has_text="Deals behind the revenue")
    assert "£5,000.00 ≈ $6,325" in deals.inner_text()
    screenshots(page, "currencies-drill-down")
