"""Browser: a mention rings the other person's bell without a reload; the digest e-mail as it looks."""

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from ..factories import make_rep, make_tip
from ..smtp_server import smtp_server_fixture  # noqa: F401 (the smtp_server fixture)
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


def test_a_mention_rings_the_bell_without_a_reload_and_leads_to_the_post(page, sign_in, browser, live_server):
    ana = make_rep("ana", first_name="Ana", last_name="Alvarez")
    ben = make_rep("ben", first_name="Ben", last_name="Brooks")
    ben_context = _context_for(browser, live_server, ben)
    try:
        ben_page = ben_context.new_page()
        ben_page.goto("/")
        bell = ben_page.locator("#notification-bell")
        expect(bell).to_have_attribute("aria-label", "Notifications: 0 unread")
        ben_page.evaluate("window.stillTheSamePage = true")

        sign_in(ana)
        page.goto("/")
        type_keys(page.get_by_label("Share a quick win"), "Globex signed after the ROI workshop, thanks @ben")
        pause(page)
        page.get_by_role("button", name="Post", exact=True).click()
        expect(page.locator("#stream article").first).to_contain_text("Globex signed after the ROI workshop")

        # Ben's page polls: the count arrives without a reload.
        expect(ben_page.get_by_test_id("bell-count")).to_have_text("1", timeout=25_000)
        expect(ben_page.locator("#notification-bell")).to_have_attribute("aria-label", "Notifications: 1 unread")
        assert ben_page.evaluate("window.stillTheSamePage") is True
        shots = screenshots(ben_page, "notifications-bell")
        assert all(path.exists() for path in shots)

        ben_page.locator("#notification-bell").click()
        ben_page.wait_for_url(re.compile(r"/notifications/$"))
        item = ben_page.get_by_role("link", name="Ana Alvarez mentioned you on Huddle")
        expect(item).to_be_visible()
        screenshot(ben_page, "notifications-page")
        pause(ben_page, 0.5)
        item.click()
        ben_page.wait_for_url(re.compile(r"/microposts/\d+/$"))
        expect(ben_page.locator("main")).to_contain_text("Globex signed after the ROI workshop")
        expect(ben_page.locator("#notification-bell")).to_have_attribute("aria-label", "Notifications: 0 unread")
    finally:
        ben_context.close()


def test_following_a_tag_is_one_click_and_another_stops(page, sign_in):
    make_tip("Pricing objections, answered", author=make_rep("cara"), tags=["pricing"])
    sign_in(make_rep("dev", first_name="Dev"))
    page.goto("/tags/pricing/")
    page.get_by_role("button", name="Follow #pricing").click()
    expect(page.get_by_role("button", name="Stop following #pricing")).to_have_text("✓ Following")
    page.reload()
    expect(page.get_by_role("button", name="Stop following #pricing")).to_be_visible()
    page.get_by_role("button", name="Stop following #pricing").click()
    expect(page.get_by_role("button", name="Follow #pricing")).to_be_visible()


def test_the_digest_e_mail_as_a_mail_client_shows_it(page, smtp_server):
    """Sends a real digest through SMTP and renders its HTML part in Chromium."""
    from notifications import digests
    from notifications.models import Kind
    from notifications.recording import notify

    from ..smtp_server import parts

    reader = make_rep("erin", first_name="Erin")
    author = make_rep("fay", first_name="Fay", last_name="Fischer")
    for number, title in enumerate(
        ["Anchor the price on outcomes", "Multi-threading a stalled deal", "Security review checklist"]
    ):
        tip = make_tip(title, author=author, summary=f"What worked, part {number + 1}.")
        if number == 1:
            tip.verify()
        notify(
            [reader],
            Kind.FOLLOWED,
            actor=author,
            summary=f"shared a tip: “{title}”",
            url=tip.url,
            target=tip,
            excerpt=tip.summary,
        )
    assert digests.send_digests("weekly") == 1
    _, html = parts(smtp_server.messages[0])
    page.set_content(html)
    expect(page.get_by_role("heading", level=1)).to_have_text("New this week in what you follow")
    expect(page.get_by_role("link", name="Stop the digest")).to_be_visible()
    screenshots(page, "notifications-digest-email")


def test_chat_in_the_preferences_asks_for_an_address_and_keeps_the_choices(page, sign_in):
    """Ticking chat without a webhook is refused with the reason; the ticks and the digest choice stay."""
    from notifications.models import NotificationSettings

    rep = make_rep("erin", first_name="Erin")
    sign_in(rep)
    page.goto("/notifications/preferences/")
    page.get_by_label("Someone @mentions me: Chat (Slack or Teams)").check()
    page.get_by_label("Daily").check()
    pause(page, 0.5)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("body")).to_contain_text("paste your incoming-webhook address first")
    expect(page.get_by_label("Someone @mentions me: Chat (Slack or Teams)")).to_be_checked()
    expect(page.get_by_label("Daily")).to_be_checked()

    type_keys(page.get_by_label("Webhook address"), "https://hooks.slack.com/services/T1/B2/abc")
    pause(page, 0.5)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("body")).to_contain_text("Your notification settings were saved.")
    expect(page.get_by_label("Someone @mentions me: Chat (Slack or Teams)")).to_be_checked()
    settings_row = NotificationSettings.objects.get(user=rep)
    assert (settings_row.digest, settings_row.chat_webhook_url) == (
        "daily",
        "https://hooks.slack.com/services/T1/B2/abc",
    )
    assert all(path.exists() for path in screenshots(page, "notifications-preferences"))
