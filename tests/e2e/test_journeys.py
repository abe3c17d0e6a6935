"""One journey per role, from the sign-in form to done, on the data `manage.py seed_demo` makes.

Each journey types with key presses, pauses before clicking as a person does, asserts what the
person sees and saves screenshots at 1366x900 and 390x844 under test-artifacts/.
"""

import csv
import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from .conftest import pause, screenshots, type_keys

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DEMO_PASSWORD = "huddle-demo"


@pytest.fixture
def demo():
    """The demo site, without rebuilding the whole search index (each journey indexes what it searches)."""
    call_command("seed_demo", "--no-index", verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())


def index_tips() -> None:
    """The keyword index for the demo's tips: what the rep's search and the admin's chooser look in."""
    from wagtail.search.index import insert_or_update_object

    from knowledge.models import TipPage

    for tip in TipPage.objects.all():
        insert_or_update_object(tip)


def sign_in_with_the_form(page, username: str) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in to Huddle")).to_be_visible()
    type_keys(page.get_by_label("Username"), username)
    type_keys(page.get_by_label("Password"), DEMO_PASSWORD)
    pause(page)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome back")


def test_a_manager_reads_the_board_a_reps_drill_down_the_csv_and_the_analysis(page, demo):
    sign_in_with_the_form(page, "manager")
    pause(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Leaderboard").click()
    expect(page.get_by_role("heading", name="Who shares what works")).to_be_visible()
    board = page.get_by_role("table")
    expect(board.get_by_role("columnheader", name="Closed-won revenue")).to_be_visible()
    screenshots(page, "journey-manager-leaderboard")

    # Change the period: the board says which one it shows.
    fold = page.locator("details.board-filters-fold")
    if fold.get_attribute("open") is None:
        pause(page)
        fold.locator("summary").click()
    page.get_by_label("Period", exact=True).select_option(label="Year to date")
    pause(page)
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".board-period")).to_contain_text("Year to date")
    assert "period=ytd" in page.url

    # A rep's drill-down: the deals and events behind their row.
    first_rep = board.locator("tbody tr").first.locator(".board__name a")
    name = first_rep.inner_text()
    pause(page)
    first_rep.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    expect(page.get_by_role("heading", name="What earned the score")).to_be_visible()
    screenshots(page, "journey-manager-rep-detail")
    page.go_back()

    # The CSV export: a file a spreadsheet opens, one row per rep.
    pause(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(open(download.path(), encoding="utf-8-sig").read())))
    assert len(rows) > 5 and name in {cell for row in rows for cell in row}

    # The analysis: does sharing go with winning?
    pause(page)
    page.get_by_role("link", name="Sharing vs results").click()
    expect(page.get_by_role("heading", name="Sharing versus results")).to_be_visible()
    screenshots(page, "journey-manager-analysis")


def test_a_rep_posts_a_win_finds_a_tip_despite_a_typo_marks_it_comments_and_jumps_in_a_video(page, demo):
    index_tips()
    sign_in_with_the_form(page, "rep")
    screenshots(page, "journey-rep-home")

    # A quick win with a hashtag, by keyboard alone: the text and the Post button stay while the
    # "Already shared?" check runs beside the box.
    box = page.get_by_label("Share a quick win")
    win = "Opened with the ROI calculator and the CFO stayed for the demo #pricing"
    type_keys(box, win)
    pause(page)
    expect(box).to_have_value(win)
    expect(page.get_by_role("button", name="Post", exact=True)).to_be_visible()
    box.press("Control+Enter")
    posted = page.locator("#stream article").first
    expect(posted).to_contain_text("Opened with the ROI calculator and the CFO stayed for the demo")
    expect(posted.get_by_role("link", name="#pricing")).to_be_visible()
    expect(page.get_by_label("Share a quick win")).to_have_value("")
    screenshots(page, "journey-rep-quick-win")

    # Search with a typo: Huddle offers the spelling it knows and finds the tip.
    search = page.get_by_role("combobox", name="Search tips, posts and videos")
    type_keys(search, "objection handlign")
    pause(page)
    search.press("Enter")
    did_you_mean = page.locator(".did-you-mean")
    expect(did_you_mean).to_contain_text("Did you mean")
    screenshots(page, "journey-rep-search-typo")
    pause(page)
    did_you_mean.get_by_role("link").click()
    tip_link = page.locator("article.search-hit").get_by_role("link", name="Handling the 'too expensive' objection")
    expect(tip_link).to_be_visible()
    pause(page)
    tip_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Handling the 'too expensive' objection")

    # Mark it helpful: the button shows it is pressed and the count goes up by one.
    helpful = page.locator("article.tip form.helpful").get_by_role("button")
    before = int(helpful.locator(".helpful__count").inner_text())
    expect(helpful).to_have_attribute("aria-pressed", "false")
    pause(page)
    helpful.click()
    helpful = page.locator("article.tip form.helpful").get_by_role("button")
    expect(helpful).to_have_attribute("aria-pressed", "true")
    expect(helpful.locator(".helpful__count")).to_have_text(str(before + 1))

    # Comment on it.
    comment = "Tried this with Initech on Tuesday: they asked for the three-year view."
    type_keys(page.get_by_label("Your comment"), comment)
    pause(page)
    page.locator("#comments").get_by_role("button", name="Comment", exact=True).click()
    expect(page.locator("#comments").get_by_text(comment)).to_be_visible()
    screenshots(page, "journey-rep-tip-commented")

    # A coaching video: a transcript line moves the player to its second.
    pause(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Coaching").click()
    pause(page)
    page.get_by_role("link", name="It is too expensive").first.click()
    player = page.locator("video#player")
    expect(player).to_be_visible()
    line = page.locator(".transcript__cues a[data-seek]").nth(2)
    second = int(line.get_attribute("data-seek"))
    assert second > 0
    pause(page)
    line.click()
    page.wait_for_function(
        "([video, second]) => Math.abs(video.currentTime - second) < 1.5",
        arg=[player.element_handle(), second],
    )
    screenshots(page, "journey-rep-video")

    # Done: pause and leave; the last watch-progress beacon lands before the browser closes.
    player.evaluate("video => video.pause()")
    pause(page)
    page.get_by_role("link", name="Huddle home").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome back")
    page.wait_for_load_state("networkidle")


def rep_comments_on(title: str, text: str) -> None:
    """A rep's comment, as the site's comment form leaves it (the demo seeds none)."""
    from django.contrib.auth.models import User
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone
    from django_comments_xtd.models import XtdComment

    from knowledge.models import TipPage

    tip = TipPage.objects.get(title=title)
    XtdComment.objects.create(
        content_type=ContentType.objects.get_for_model(TipPage),
        object_pk=str(tip.pk),
        site_id=1,
        user=User.objects.get(username="rep"),
        comment=text,
        submit_date=timezone.now(),
    )


def test_marketing_edits_tags_verifies_retires_and_checks_the_moderation_lists(page, demo):
    index_tips()
    rep_comments_on("Getting past procurement", "Procurement at Initech wanted our SOC 2 report first.")
    sign_in_with_the_form(page, "marketing")
    pause(page)
    page.locator("details.user-menu > summary").click()
    pause(page)
    page.get_by_role("link", name="Curate (admin)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Huddle admin")
    review = page.locator("section", has=page.get_by_role("heading", name="Tips to review"))
    expect(review.get_by_role("link", name="Beat the incumbent on switching cost", exact=True)).to_be_visible()
    comments = page.locator("section", has=page.get_by_role("heading", name="Recent comments"))
    expect(comments.get_by_role("row", name="Getting past procurement")).to_contain_text("SOC 2 report")
    screenshots(page, "journey-marketing-dashboard")

    # Edit a tip and tag it.
    pause(page)
    review.get_by_role("link", name="Beat the incumbent on switching cost", exact=True).click()
    summary = page.get_by_role("textbox", name="Summary")
    summary.click()
    summary.press("End")
    summary.press_sequentially(" Bring the migration plan.", delay=40)
    tag_input = page.locator("#panel-child-content-about-section .tagit input").first
    type_keys(tag_input, "switching-cost,")
    screenshots(page, "journey-marketing-edit")
    pause(page)
    page.get_by_role("button", name="More actions").click()
    pause(page)
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Page 'Beat the incumbent on switching cost' has been published.")).to_be_visible()
    page.goto("/tips/beat-the-incumbent-on-switching-cost/")
    expect(page.get_by_text("Bring the migration plan.")).to_be_visible()
    expect(page.get_by_role("link", name="#switching-cost")).to_be_visible()

    # Verify one stale tip from the dashboard.
    page.goto("/admin/")
    review = page.locator("section", has=page.get_by_role("heading", name="Tips to review"))
    row = review.get_by_role("row", name="Use a customer story from the same industry")
    pause(page)
    row.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("“Use a customer story from the same industry” is verified again.")).to_be_visible()
    expect(review.get_by_role("link", name="Use a customer story from the same industry", exact=True)).to_have_count(0)

    # Retire another, pointing its readers to the tip that replaces it.
    row = review.get_by_role("row", name="Discount only for something in return")
    pause(page)
    row.get_by_role("link", name="Retire…").click()
    expect(page.get_by_role("heading", name="Retire this tip?")).to_be_visible()
    pause(page)
    page.get_by_role("button", name="Choose a page").click()
    chooser = page.locator(".modal-dialog")
    search = chooser.get_by_role("textbox", name="Search term")
    pause(page)
    type_keys(search, "three options")
    pause(page)
    chooser.get_by_role("link", name="Price in three options, not one").click()
    expect(chooser).to_be_hidden()
    expect(page.locator(".modal-backdrop")).to_have_count(0)
    expect(page.locator("[data-chooser-title]")).to_have_text("Price in three options, not one")
    screenshots(page, "journey-marketing-retire")
    pause(page)
    page.get_by_role("button", name="Yes, retire it").click()
    expect(page.get_by_text("Readers are sent to “Price in three options, not one”")).to_be_visible()

    # The moderation and curation lists: comments, microposts, possible duplicates.
    pause(page)
    page.get_by_role("link", name="Comments").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Comments")
    expect(page.get_by_role("row", name="Procurement at Initech wanted our SOC 2 report first.")).to_be_visible()
    screenshots(page, "journey-marketing-comments")
    pause(page)
    page.get_by_role("link", name="Microposts").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Microposts")
    expect(page.get_by_role("table").get_by_role("row")).not_to_have_count(1)
    pause(page)
    page.get_by_role("button", name="Reports").click()
    pause(page)
    page.get_by_role("link", name="Possible duplicates").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Possible duplicates")
    screenshots(page, "journey-marketing-duplicates")

    # Readers of the retired tip see where to go instead.
    page.goto("/tips/discount-only-for-something-in-return/")
    notice = page.get_by_role("note")
    expect(notice).to_contain_text("This tip is retired.")
    expect(notice.get_by_role("link", name="Price in three options, not one")).to_be_visible()
