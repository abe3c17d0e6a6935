"""Reps in a browser: a hashtag post, sharing a tip, commenting, helpful, the stale banner."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from knowledge.models import TipPage

from ..factories import make_micropost, make_rep, make_tip
from .conftest import pause, screenshot, screenshots, type_keys

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_posting_a_micropost_with_a_hashtag_and_finding_it_on_its_tag_page(page, sign_in):
    sign_in(make_rep("riley", first_name="Riley"))
    page.goto("/")
    type_keys(page.get_by_label("Share a quick win"), "Break-up e-mail got Globex talking again #ghosting")
    pause(page)
    page.get_by_role("button", name="Post", exact=True).click()
    card = page.locator("#stream article").first
    expect(card).to_contain_text("Break-up e-mail got Globex talking again")
    expect(page.get_by_label("Share a quick win")).to_have_value("")  # the box reset, no reload
    screenshot(page, "knowledge-home-after-post")
    card.get_by_role("link", name="#ghosting").click()
    page.wait_for_url(re.compile(r"/tags/ghosting/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("#ghosting")
    expect(page.locator("main")).to_contain_text("Break-up e-mail got Globex talking again")
    screenshot(page, "knowledge-tag-page")


def test_sharing_a_tip(page, sign_in):
    sign_in(make_rep("riley", first_name="Riley"))
    page.goto("/")
    page.get_by_role("link", name="Share a tip").first.click()
    type_keys(page.get_by_label("Title"), "Handling the 'too expensive' objection")
    type_keys(page.get_by_label("What worked"), "Ask: compared to what? Then bring back the number from discovery.")
    page.get_by_label("Sales stage").select_option("negotiation")
    type_keys(page.get_by_label("Tags"), "pricing, objection-handling")
    screenshot(page, "knowledge-share-tip-form")
    pause(page)
    page.get_by_role("button", name="Share tip").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Handling the 'too expensive' objection")
    expect(page.locator("main")).to_contain_text("Your tip is live.")
    expect(page.locator("main")).to_contain_text("Then bring back the number from discovery.")
    assert TipPage.objects.get().author.username == "riley"
    screenshot(page, "knowledge-tip-page")


def test_commenting_and_replying_on_a_tip(page, sign_in):
    tip = make_tip("Getting past procurement", author=make_rep("author", first_name="Ana"))
    sign_in(make_rep("riley", first_name="Riley", last_name="Rep"))
    page.goto(tip.url)
    type_keys(page.get_by_label("Your comment"), "Sent the security pack in week one, worked great.")
    pause(page)
    page.get_by_role("button", name="Comment", exact=True).click()
    comment = page.locator(".comment").first
    expect(comment).to_contain_text("Riley Rep")
    expect(comment).to_contain_text("Sent the security pack in week one")
    comment.locator("summary").click()
    type_keys(comment.get_by_label("Your reply"), "Same here.")
    pause(page)
    comment.get_by_role("button", name="Reply", exact=True).click()
    expect(page.locator(".comment--reply")).to_contain_text("Same here.")
    page.locator(".comment").first.get_by_role("button", name=re.compile("^Like")).first.click()
    expect(page.locator(".comment").first.get_by_role("button", name=re.compile("^Like")).first).to_have_attribute(
        "aria-pressed", "true"
    )
    screenshot(page, "knowledge-comments")


def test_marking_a_tip_helpful(page, sign_in):
    tip = make_tip("Find a champion before the demo", author=make_rep("author"))
    sign_in(make_rep("riley"))
    page.goto(tip.url)
    button = page.locator("form.helpful button")
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()
    expect(page.locator("form.helpful button")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("form.helpful .helpful__count")).to_have_text("1")
    tip.refresh_from_db()
    assert tip.helpful_count == 1
    page.locator("form.helpful button").click()
    expect(page.locator("form.helpful .helpful__count")).to_have_text("0")


def test_the_stale_tip_banner(page, sign_in):
    tip = make_tip(
        "Executive sponsor e-mail that gets read",
        author=make_rep("author"),
        summary="Three sentences: their goal, the risk of waiting, one ask.",
    )
    TipPage.objects.filter(pk=tip.pk).update(verified_until=timezone.localdate() - datetime.timedelta(days=3))
    sign_in(make_rep("riley"))
    page.goto(tip.url)
    banner = page.get_by_role("note")
    expect(banner).to_contain_text("This tip may be out of date.")
    screenshot(page, "knowledge-stale-tip")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    screenshot(page, "knowledge-home-phone")
    page.goto(tip.url)
    expect(banner).to_be_visible()
    screenshot(page, "knowledge-stale-tip-phone")


def test_the_already_shared_check_leaves_the_quick_win_box_whole_and_posting_works_by_keyboard(page, sign_in):
    """Typing and pausing shows near-duplicates beside the box; the text, Account and Post stay; Enter posts."""
    make_micropost("Sent the ROI calculator before the pricing call and the CFO signed", author=make_rep("ana"))
    sign_in(make_rep("riley", first_name="Riley"))
    page.goto("/")
    box = page.get_by_label("Share a quick win")
    text = "Sent the ROI calculator before the pricing call, CFO signed"
    type_keys(box, text)
    pause(page, 1.5)  # the live check fires after 0.6 s
    expect(box).to_have_value(text)
    expect(page.get_by_placeholder("Account (optional)")).to_be_visible()
    post = page.get_by_role("button", name="Post", exact=True)
    expect(post).to_be_visible()
    suggestions = page.locator("#already-shared")
    expect(suggestions.get_by_role("heading", name="Already shared?")).to_be_visible()
    expect(suggestions.get_by_role("link", name=re.compile("ROI calculator before the pricing call"))).to_be_visible()
    screenshots(page, "knowledge-quick-win-already-shared")

    type_keys(page.get_by_placeholder("Account (optional)"), "Globex")
    pause(page)
    expect(box).to_have_value(text)
    page.keyboard.press("Tab")
    expect(post).to_be_focused()
    page.keyboard.press("Enter")
    card = page.locator("#stream article").first
    expect(card).to_contain_text("CFO signed")
    expect(card).to_contain_text("Globex")
    expect(page.get_by_label("Share a quick win")).to_have_value("")
    expect(page.locator("#already-shared .already-shared__box")).to_have_count(0)


def test_ctrl_enter_posts_a_quick_win(page, sign_in):
    sign_in(make_rep("riley", first_name="Riley"))
    page.goto("/")
    box = page.get_by_label("Share a quick win")
    type_keys(box, "Multi-threading into finance saved the Initech renewal")
    pause(page)
    box.press("Control+Enter")
    expect(page.locator("#stream article").first).to_contain_text("saved the Initech renewal")
    expect(page.get_by_label("Share a quick win")).to_have_value("")


def test_the_already_shared_check_leaves_the_tip_form_whole(page, sign_in):
    make_tip(
        "Winning against a rival with a lower price",
        author=make_rep("ana"),
        body="",
        summary="Shift the conversation to total cost of ownership, implementation risk and support response times.",
    )
    sign_in(make_rep("riley"))
    page.goto("/tips/new/")
    title = page.get_by_label("Title")
    type_keys(title, "Winning against a cheaper rival")
    pause(page, 1.5)
    expect(page.locator("#already-shared").get_by_role("heading", name="Already shared?")).to_be_visible()
    summary = page.get_by_label("One-line summary")  # the live check watches it too
    type_keys(summary, "Talk about the total cost over three years")
    pause(page, 1.5)
    expect(title).to_have_value("Winning against a cheaper rival")
    expect(summary).to_have_value("Talk about the total cost over three years")
    expect(page.get_by_role("button", name="Share tip")).to_be_visible()
    screenshots(page, "knowledge-tip-form-already-shared")


def test_the_account_field_suggests_accounts_and_a_near_miss_asks_instead_of_creating(page, sign_in):
    from knowledge.models import Account

    from ..factories import make_account

    make_account("Initech Corp")
    make_account("Initech Bank")
    make_account("Globex")
    sign_in(make_rep("riley"))
    page.goto("/tips/new/")
    type_keys(page.get_by_label("Title"), "Lunch with the CFO unblocked the renewal")
    type_keys(page.get_by_label("What worked"), "Ask for thirty minutes, bring the usage numbers.")
    account = page.get_by_role("combobox", name="Account")
    type_keys(account, "Initech")
    pause(page)
    options = page.locator("#id_account_name-options option")
    expect(options).to_have_count(2)
    assert [options.nth(i).get_attribute("value") for i in range(2)] == ["Initech Bank", "Initech Corp"]
    page.get_by_role("button", name="Share tip").click()

    expect(page.get_by_role("alert")).to_contain_text("Did you mean Initech Bank or Initech Corp?")
    expect(page.get_by_label("Title")).to_have_value("Lunch with the CFO unblocked the renewal")
    expect(account).to_have_value("Initech")
    screenshots(page, "knowledge-account-did-you-mean")
    assert Account.objects.count() == 3 and not TipPage.objects.exists()

    account.press("End")
    type_keys(account, " Corp")
    pause(page)
    page.get_by_role("button", name="Share tip").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lunch with the CFO unblocked the renewal")
    expect(page.locator("main header")).to_contain_text("Initech Corp")
    assert Account.objects.count() == 3


def test_a_new_account_is_an_explicit_choice(page, sign_in):
    from knowledge.models import Account

    sign_in(make_rep("riley"))
    page.goto("/tips/new/")
    type_keys(page.get_by_label("Title"), "First call with Hooli went well")
    type_keys(page.get_by_label("What worked"), "Opened with their own annual report.")
    type_keys(page.get_by_role("combobox", name="Account"), "Hooli")
    page.get_by_label("Create it as a new account").check()
    pause(page)
    page.get_by_role("button", name="Share tip").click()
    expect(page.locator("main header")).to_contain_text("Hooli")
    assert list(Account.objects.values_list("name", flat=True)) == ["Hooli"]


def test_links_in_e_mails_the_feed_and_after_removing_a_comment_go_to_the_port_in_use(page, sign_in, live_server):
    """`make run PORT=8123`: every absolute link names the address in use, not SITE_DOMAIN's 8000."""
    from django.core import mail
    from django.test import override_settings

    from ..factories import make_marketer

    assert ":8000" not in live_server.url
    tip = make_tip("Getting past procurement", author=make_rep("ana", first_name="Ana"))
    with override_settings(SITE_DOMAIN="127.0.0.1:8000"):
        sign_in(make_rep("riley", first_name="Riley"))
        page.goto("/")
        type_keys(page.get_by_label("Share a quick win"), "Thanks @ana, the security pack worked")
        pause(page)
        page.get_by_role("button", name="Post", exact=True).click()
        expect(page.locator("#stream article").first).to_contain_text("the security pack worked")
        [mention] = [message for message in mail.outbox if "ana@example.com" in message.to]
        assert f"{live_server.url}/microposts/" in mention.body and ":8000" not in mention.body

        feed = page.request.get("/feeds/tips/").text()
        assert f'href="{live_server.url}{tip.url}"' in feed
        assert f'href="{live_server.url}/feeds/tips/" rel="self"' in feed
        assert ":8000" not in feed

        page.goto(tip.url)
        type_keys(page.get_by_label("Your comment"), "Sent it in week one.")
        pause(page)
        page.get_by_role("button", name="Comment", exact=True).click()
        expect(page.locator(".comment").first).to_contain_text("Sent it in week one.")
        page.context.clear_cookies()
        sign_in(make_marketer("morgan"))
        page.goto(tip.url)
        page.locator(".comment").first.get_by_role("link", name="Remove").click()
        pause(page)
        page.get_by_role("button", name="Remove").click()
        page.wait_for_load_state()
        assert page.url.startswith(f"{live_server.url}{tip.url}")
        expect(page.get_by_role("heading", level=1)).to_have_text("Getting past procurement")
