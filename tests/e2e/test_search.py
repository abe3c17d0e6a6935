import pytest

from ..factories import make_rep, make_tip
from .conftest import pause, screenshot, type_keys

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_rep_searches_with_a_typo_and_finds_the_tip(page, sign_in):
    rep = make_rep("riley")
    make_tip(
        "Getting past procurement",
        author=rep,
        summary="Answer the security questionnaire first.",
        body="Procurement teams stall on vendor forms.",
        tags=["procurement"],
    )
    make_tip("Handling the 'too expensive' objection", author=rep, body="Compare price with the cost of delay.")
    sign_in(rep)
    page.goto("/")
    type_keys(page.get_by_label("Search tips, posts and videos"), "procuremnt")
    page.get_by_label("Search tips, posts and videos").press("Enter")
    page.wait_for_url("**/search/?q=procuremnt")
    first = page.locator("article.search-hit").first
    assert first.get_by_role("heading").inner_text() == "Getting past procurement"
    suggestion = page.locator(".did-you-mean")
    assert "Did you mean" in suggestion.inner_text()
    pause(page)
    suggestion.get_by_role("link").click()
    page.wait_for_url("**/search/?q=procurement")
    assert page.get_by_role("status").first.inner_text().startswith("1 result")
    screenshot(page, "search-typo")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "search-phone")
