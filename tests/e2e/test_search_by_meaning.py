"""Search by meaning in the browser: other words find the tip, related tips, "already shared?" while typing."""

import pytest
from playwright.sync_api import expect

from knowledge.semantic import evaluation

from ..factories import make_rep, make_tip
from .conftest import pause, screenshots, type_keys

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TARGET = "Winning against a rival with a lower price"


@pytest.fixture
def tips():
    """The paraphrase set's 20 targets and 10 other tips."""
    author = make_rep("casey", first_name="Casey")
    return {
        title: make_tip(title, author=author, summary=summary, body="") for title, summary in evaluation.all_tips()[:30]
    }


def test_words_the_tip_never_uses_find_it_marked_related_by_meaning(page, sign_in, tips):
    sign_in(make_rep("riley"))
    page.goto("/")
    search = page.get_by_role("combobox", name="Search tips, posts and videos")
    type_keys(search, "competitor is cheaper")
    pause(page)
    search.press("Enter")
    card = page.locator("article.search-hit", has=page.get_by_role("link", name=TARGET))
    expect(card).to_be_visible()
    expect(card.get_by_text("Related by meaning")).to_be_visible()
    expect(search).to_have_value("competitor is cheaper")  # the query stays in the box
    screenshots(page, "meaning-search")

    pause(page)
    card.get_by_role("link", name=TARGET).click()
    related = page.get_by_role("region", name="Related tips")
    expect(related).to_be_visible()
    expect(related.get_by_role("link")).to_have_count(5)
    expect(related.get_by_role("link", name=TARGET)).to_have_count(0)  # never the tip itself
    screenshots(page, "meaning-related-tips")


def test_a_near_duplicate_title_shows_already_shared_while_typing(page, sign_in, tips):
    sign_in(make_rep("riley"))
    page.goto("/tips/new/")
    title = page.get_by_label("Title")
    type_keys(title, "Winning against a cheaper rival")
    pause(page)
    suggestions = page.locator("#already-shared")
    expect(suggestions.get_by_role("heading", name="Already shared?")).to_be_visible()
    expect(suggestions.get_by_role("link", name=TARGET)).to_be_visible()
    assert suggestions.get_by_role("link").count() <= 3
    expect(title).to_have_value("Winning against a cheaper rival")  # the suggestions never take the text
    screenshots(page, "meaning-already-shared")


def test_marketing_sees_possible_duplicates_in_the_admin(page, sign_in, tips):
    from ..factories import make_marketer

    author = make_rep("drew")
    make_tip(
        "Re-engaging a buyer who stopped answering",
        author=author,
        summary="When someone goes silent after a demo, send a short note that offers an easy way out; "
        "most people reply to close the loop.",
    )
    sign_in(make_marketer("morgan"))
    page.goto("/admin/reports/possible-duplicates/")
    table = page.get_by_role("table")
    expect(table.get_by_role("link", name="Re-engaging a buyer who stopped answering")).to_be_visible()
    expect(table.get_by_role("link", name="Re-engage a buyer who stopped answering")).to_be_visible()
    screenshots(page, "meaning-possible-duplicates-admin")
