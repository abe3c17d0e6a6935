"""Reps in a browser: a hashtag post, sharing a tip, commenting, helpful, the stale banner."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from knowledge.models import TipPage

from ..factories import make_rep, make_tip
from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_posting_a_micropost_with_a_hashtag_and_finding_it_on_its_tag_page(page, sign_in):
    sign_in(make_rep("riley", first_name="Riley"))
    page.goto("/")
    page.get_by_label("Share a quick win").fill(
        "Break-up e-mail got Globex talking again #ghosting"
    )
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
    page.get_by_label("Title").fill("Handling the 'too expensive' objection")
    page.get_by_label("What worked").fill(
        "Ask: compared to what?\n\nThen bring back the number from discovery."
    )
    page.get_by_label("Sales stage").select_option("negotiation")
    page.get_by_label("Tags").fill("pricing, objection-handling")
    screenshot(page, "knowledge-share-tip-form")
    page.get_by_role("button", name="Share tip").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Handling the 'too expensive' objection"
    )
    expect(page.locator("main")).to_contain_text("Your tip is live.")
    expect(page.locator("main")).to_contain_text("Then bring back the number from discovery.")
    assert TipPage.objects.get().author.username == "riley"
    screenshot(page, "knowledge-tip-page")


def test_commenting_and_replying_on_a_tip(page, sign_in):
    tip = make_tip("Getting past procurement", author=make_rep("author", first_name="Ana"))
    sign_in(make_rep("riley", first_name="Riley", last_name="Rep"))
    page.goto(tip.url)
    page.get_by_label("Your comment").fill("Sent the security pack in week one, worked great.")
    page.get_by_role("button", name="Comment", exact=True).click()
    comment = page.locator(".comment").first
    expect(comment).to_contain_text("Riley Rep")
    expect(comment).to_contain_text("Sent the security pack in week one")
    comment.locator("summary").click()
    comment.get_by_label("Your reply").fill("Same here.")
    comment.get_by_role("button", name="Reply", exact=True).click()
    expect(page.locator(".comment--reply")).to_contain_text("Same here.")
    page.locator(".comment").first.get_by_role("button", name=re.compile("^Like")).first.click()
    expect(
        page.locator(".comment").first.get_by_role("button", name=re.compile("^Like")).first
    ).to_have_attribute("aria-pressed", "true")
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
    TipPage.objects.filter(pk=tip.pk).update(
        verified_until=timezone.localdate() - datetime.timedelta(days=3)
    )
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
