"""A rep in a browser reads search snippets as the tip was typed: no entities, no markup run."""

import pytest

from ..factories import make_rep
from .conftest import pause, screenshots, type_keys

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_snippet_reads_as_typed_and_markup_in_it_never_runs(page, sign_in):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(make_rep("riley", first_name="Riley"))
    page.goto("/tips/new/")
    type_keys(page.get_by_label("Title"), "Chasing a quiet champion")
    type_keys(
        page.get_by_label("What worked"),
        "Don't chase alone: loop in finance & legal. Paste <img src=x onerror=alert(1)> nowhere.",
    )
    pause(page)
    page.get_by_role("button", name="Share tip").click()
    page.wait_for_url("**/tips/chasing-a-quiet-champion/")

    box = page.get_by_label("Search tips, posts and videos")
    type_keys(box, "finance")
    box.press("Enter")
    page.wait_for_url("**/search/?q=finance")
    snippet = page.locator("article.search-hit .search-hit__snippet").first
    assert snippet.inner_text() == (
        "Don't chase alone: loop in finance & legal. Paste <img src=x onerror=alert(1)> nowhere."
    )
    assert snippet.locator("mark").inner_text() == "finance"  # the highlight is still markup
    assert snippet.locator("img").count() == 0
    assert dialogs == []
    screenshots(page, "search-snippet-escaped-once")
