"""Browser: marketing posts a must-read, a rep sees it on top until they mark it read, marketing sees who read it."""

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from ..factories import make_marketer, make_rep
from .conftest import pause, screenshot, screenshots, type_keys

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _context_for(browser, live_server, user):
    """A second browser (its own cookies), signed in as ``user``."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900})
    context.set_default_timeout(20_000)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])
    return context


def test_a_must_read_stays_on_top_until_read_and_marketing_sees_who_read_it(page, sign_in, browser, live_server):
    mia = make_marketer("mia", first_name="Mia", last_name="Marketing")
    ben = make_rep("ben", first_name="Ben", last_name="Brooks")
    make_rep("cara", first_name="Cara", last_name="Cole")
    sign_in(mia)
    page.goto("/notifications/announcements/")
    page.get_by_role("link", name="New announcement").click()
    type_keys(page.get_by_label("Title"), "New price list from Monday")
    type_keys(page.get_by_label("Message"), "Quote the 2027 list. Discounts over 10% need your manager.")
    expect(page.get_by_label("Who must read it")).to_have_value("")  # everyone
    pause(page, 0.5)
    page.get_by_role("button", name="Announce").click()
    page.wait_for_url(re.compile(r"/announcements/\d+/$"))
    expect(page.get_by_role("status")).to_contain_text("Announced to 2 people.")
    not_read = page.get_by_role("region", name=re.compile("Not read yet"))
    expect(not_read).to_contain_text("Ben Brooks")
    expect(not_read).to_contain_text("Cara Cole")

    ben_context = _context_for(browser, live_server, ben)
    try:
        ben_page = ben_context.new_page()
        ben_page.goto("/tips/")
        must_read = ben_page.get_by_test_id("must-read")
        expect(must_read).to_contain_text("New price list from Monday")
        expect(must_read).to_contain_text("Discounts over 10% need your manager.")
        assert must_read.bounding_box()["y"] < ben_page.locator("main h1").first.bounding_box()["y"]
        screenshots(ben_page, "announcement-must-read")
        ben_page.goto("/")
        expect(must_read).to_be_visible()  # on every page until read
        pause(ben_page, 0.5)
        must_read.get_by_role("button", name="Mark as read").click()
        ben_page.wait_for_url(re.compile(r"/$"))
        expect(ben_page.get_by_test_id("must-read")).to_have_count(0)
        ben_page.reload()
        expect(ben_page.get_by_test_id("must-read")).to_have_count(0)
    finally:
        ben_context.close()

    page.reload()
    expect(page.get_by_role("region", name=re.compile(r"^Read \(1\)"))).to_contain_text("Ben Brooks")
    expect(page.get_by_role("region", name=re.compile("Not read yet"))).to_contain_text("Cara Cole")
    expect(page.get_by_role("region", name=re.compile("Not read yet"))).not_to_contain_text("Ben Brooks")
    screenshot(page, "announcement-read-receipts")
    page.goto("/notifications/announcements/")
    expect(page.get_by_test_id("read-count")).to_have_text("1 of 2 read")
