"""A phone at 390 px and a keyboard alone: a slim header, results before facets, skip links, Escape."""

import re

import pytest
from playwright.sync_api import expect

from ..factories import make_rep, make_tip
from .conftest import pause, screenshots, type_keys

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TAG_FACET = re.compile(r"^#pricing-1 \d+$")
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def found(db):
    """Twelve tips about pricing across tags, accounts and authors, so every facet has entries."""
    authors = [make_rep(f"rep{number}", first_name=f"Rep{number}") for number in range(4)]
    for number in range(12):
        make_tip(
            f"Pricing conversation number {number}",
            author=authors[number % 4],
            summary="How the pricing call went.",
            tags=[f"pricing-{number % 5}", "pricing"],
        )
    return authors


def test_on_a_phone_the_header_is_slim_and_results_come_before_the_facets(page, sign_in, found):
    page.set_viewport_size(PHONE)
    sign_in(found[0])
    page.goto("/")
    header = page.locator("header.site-header").bounding_box()
    assert header["height"] <= 80, header  # it stays on screen while scrolling: keep it small
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Tips")).to_be_visible()
    expect(page.get_by_label("Search tips, posts and videos")).to_be_visible()

    type_keys(page.get_by_label("Search tips, posts and videos"), "pricing")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=pricing")
    first = page.locator("article.search-hit").first
    expect(first).to_be_visible()
    first_box = first.bounding_box()
    assert first_box["y"] + 60 < PHONE["height"], first_box  # on the first screen, not 1,280 px down
    facets = page.locator("details.facets-fold")
    assert facets.bounding_box()["y"] > first_box["y"]  # results first
    expect(facets).not_to_have_attribute("open", "")  # folded away on a phone
    expect(page.get_by_role("complementary", name="Filter results").get_by_role("link", name=TAG_FACET)).to_be_hidden()
    screenshots(page, "phone-search-results")

    page.set_viewport_size(PHONE)
    facets.locator("summary").click()
    expect(page.get_by_role("complementary", name="Filter results").get_by_role("link", name=TAG_FACET)).to_be_visible()
    page.set_viewport_size({"width": 1366, "height": 900})
    expect(page.get_by_role("complementary", name="Filter results").get_by_role("link", name=TAG_FACET)).to_be_visible()
    page.reload()
    expect(page.get_by_role("complementary", name="Filter results").get_by_role("link", name=TAG_FACET)).to_be_visible()
    wide_first = page.locator("article.search-hit").first.bounding_box()
    wide_facets = page.get_by_role("complementary", name="Filter results").bounding_box()
    assert wide_facets["x"] < wide_first["x"]  # on a wide screen, facets sit in the left column


def test_a_skip_link_reaches_the_first_result_and_escape_closes_the_user_menu(page, sign_in, found):
    sign_in(found[0])
    page.goto("/search/?q=pricing")
    first_link = page.locator("article.search-hit").first.get_by_role("link").first
    # From the top of the page: the first Tab is "Skip to results", then Enter, then Tab.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to results")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(first_link).to_be_focused()
    # From the search box, after refining the words: the Search button, then the first result.
    page.locator("#search-q").click()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(first_link).to_be_focused()

    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused_in_main = page.evaluate("document.querySelector('main').contains(document.activeElement)")
    assert focused_in_main

    menu = page.locator("details.user-menu")
    menu.locator("summary").focus()
    pause(page, 0.3)
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="My contributions")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="My contributions")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_role("link", name="My contributions")).to_be_hidden()
    expect(menu.locator("summary")).to_be_focused()
    screenshots(page, "keyboard-menu-closed")
