"""The admin in the browser: Huddle's branding, and retiring a tip with the tip that replaces it."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from knowledge.models import TipPage

from ..factories import make_marketer, make_rep, make_tip
from .conftest import pause, screenshots, type_keys

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_marketing_retires_a_tip_and_picks_its_replacement_by_searching(page, sign_in):
    author = make_rep("casey", first_name="Casey")
    old = make_tip("Old pricing script", author=author)
    TipPage.objects.filter(pk=old.pk).update(verified_until=timezone.localdate() - datetime.timedelta(days=9))
    make_tip("Pricing script for 2027", author=author)
    make_tip("Discovery questions that work", author=author)
    sign_in(make_marketer("morgan"))

    page.goto("/admin/")
    panel = page.locator("section", has=page.get_by_role("heading", name="Tips to review"))
    expect(panel.get_by_role("link", name="Old pricing script", exact=True)).to_be_visible()
    pause(page)
    panel.get_by_role("row", name="Old pricing script").get_by_role("link", name="Retire…").click()

    expect(page.get_by_role("heading", name="Retire this tip?")).to_be_visible()
    pause(page)
    page.get_by_role("button", name="Choose a page").click()
    modal = page.locator(".modal-dialog")
    search = modal.get_by_role("textbox", name="Search term")
    pause(page)  # the modal fades in, then takes focus: a person clicks the box after that
    type_keys(search, "pricing script")
    expect(search).to_have_value("pricing script")  # the results arriving never reset the box
    expect(modal.get_by_role("link", name="Pricing script for 2027")).to_be_visible()
    expect(modal.get_by_role("link", name="Discovery questions that work")).to_have_count(0)
    screenshots(page, "admin-retire-chooser")
    pause(page)
    modal.get_by_role("link", name="Pricing script for 2027").click()
    expect(modal).to_be_hidden()
    expect(page.locator(".modal-backdrop")).to_have_count(0)
    expect(page.locator("[data-chooser-title]")).to_have_text("Pricing script for 2027")
    screenshots(page, "admin-retire-confirm")
    pause(page)
    page.get_by_role("button", name="Yes, retire it").click()

    expect(page.get_by_text("“Old pricing script” is retired")).to_be_visible()
    expect(panel.get_by_role("link", name="Old pricing script", exact=True)).to_have_count(0)

    page.goto(old.url)
    notice = page.get_by_role("note")
    expect(notice).to_contain_text("This tip is retired.")
    pause(page)
    notice.get_by_role("link", name="Pricing script for 2027").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pricing script for 2027")


def test_a_manager_signs_in_to_huddle_admin_and_finds_the_scoring_weights(page, live_server):
    from ..factories import make_manager

    make_manager("mona", first_name="Mona")
    page.goto("/admin/")
    expect(page.get_by_role("heading", name="Sign in to Huddle admin")).to_be_visible()
    expect(page.get_by_role("img", name="Huddle")).to_be_visible()
    screenshots(page, "admin-sign-in")
    type_keys(page.get_by_label("Username"), "mona")
    type_keys(page.get_by_label("Password"), "huddle-test-pw")
    pause(page)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_title("Dashboard - Huddle admin")
    expect(page.get_by_role("heading", level=1)).to_have_text("Huddle admin")
    panel = page.locator("section", has=page.get_by_role("heading", name="For managers"))
    expect(panel.get_by_role("link", name="Leaderboard", exact=True)).to_be_visible()
    screenshots(page, "admin-manager-dashboard")
    pause(page)
    panel.get_by_role("link", name="Scoring weights", exact=True).click()
    expect(page.get_by_label("Tip shared")).to_be_visible()


def test_marketing_retires_two_tips_at_once_with_one_replacement(page, sign_in):
    author = make_rep("casey", first_name="Casey")
    first = make_tip("Old discovery script", author=author)
    second = make_tip("Older discovery script", author=author)
    make_tip("Discovery in five questions", author=author)
    sign_in(make_marketer("morgan"))
    page.goto(f"/admin/bulk/wagtailcore/page/retire_tips/?id={first.pk}&id={second.pk}&next=/admin/")
    expect(page.get_by_text("Retire these tips?")).to_be_visible()
    pause(page)
    page.get_by_role("button", name="Choose a page").click()
    modal = page.locator(".modal-dialog")
    pause(page)
    type_keys(modal.get_by_role("textbox", name="Search term"), "five questions")
    pause(page)
    modal.get_by_role("link", name="Discovery in five questions").click()
    expect(page.locator(".modal-backdrop")).to_have_count(0)
    screenshots(page, "admin-bulk-retire")
    pause(page)
    page.get_by_role("button", name="Yes, retire").click()
    expect(page.get_by_text("2 tips retired.")).to_be_visible()

    page.goto(second.url)
    expect(page.get_by_role("note").get_by_role("link", name="Discovery in five questions")).to_be_visible()
