"""Marketing in a browser: removing two comments in bulk from the admin's list, restoring one."""

import re

import pytest
from playwright.sync_api import expect

from ..factories import make_marketer, make_rep, make_tip
from ..test_comment_moderation import make_comment
from .conftest import pause, screenshots

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_marketing_removes_two_comments_in_bulk_and_restores_one(page, sign_in):
    tip = make_tip("Getting past procurement", author=make_rep("author", first_name="Ana"))
    riley = make_rep("riley", first_name="Riley", last_name="Rep")
    for text in ("Buy cheap watches here", "Visit my spam site", "Sent the security pack in week one"):
        make_comment(tip, riley, text)
    sign_in(make_marketer("mia", first_name="Mia"))
    page.goto("/admin/")
    page.get_by_role("link", name="Comments").first.click()
    page.wait_for_url(re.compile(r"/admin/comments/"))
    for text in ("Buy cheap watches here", "Visit my spam site"):
        page.locator("tr", has_text=text).get_by_role("checkbox").check()
    # Remove and Restore only: nothing here deletes a comment with its thread.
    footer = page.locator("[data-bulk-action-footer]")
    expect(footer.get_by_role("link", name=re.compile("Delete"))).to_have_count(0)
    screenshots(page, "comment-moderation-selected")
    pause(page)
    page.get_by_role("link", name="Remove the selected comments").click()
    expect(page.locator("main")).to_contain_text("Remove these 2 comments?")
    screenshots(page, "comment-moderation-confirm")
    pause(page)
    page.get_by_role("button", name="Yes, remove").click()
    expect(page.get_by_text("2 comments removed.")).to_be_visible()
    expect(page.locator("tr", has_text="Visit my spam site")).to_contain_text("Removed")
    expect(page.locator("tr", has_text="Sent the security pack in week one")).to_contain_text("Visible")

    page.locator("tr", has_text="Visit my spam site").get_by_role("checkbox").check()
    pause(page)
    page.get_by_role("link", name="Restore the selected comments").click()
    expect(page.locator("main")).to_contain_text("Restore this comment?")
    pause(page)
    page.get_by_role("button", name="Yes, restore").click()
    expect(page.get_by_text("1 comment restored.")).to_be_visible()
    expect(page.locator("tr", has_text="Visit my spam site")).to_contain_text("Visible")
    expect(page.locator("tr", has_text="Buy cheap watches here")).to_contain_text("Removed")
    screenshots(page, "comment-moderation-after")

    page.goto(tip.url)
    thread = page.locator("#comments")
    expect(thread).to_contain_text("Visit my spam site")
    expect(thread).not_to_contain_text("Buy cheap watches here")
    expect(thread).to_contain_text("This comment was removed.")
