"""In a browser, a tip page that has shown counts one view through its beacon; a reload does not."""

import pytest
from playwright.sync_api import expect

from knowledge import writebuffer
from knowledge.models import ContentView, TipPage

from ..factories import make_rep, make_tip

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def view_count_after_beacons(page, tip) -> int:
    """The tip's count once the page's beacon has had time to arrive and be written."""
    for _ in range(25):
        page.wait_for_timeout(200)
        writebuffer.flush_all()
        if ContentView.objects.filter(object_id=tip.pk).exists():
            break
    return TipPage.objects.get(pk=tip.pk).view_count


def test_opening_a_tip_counts_one_view_after_the_page_shows(page, sign_in):
    tip = make_tip("Getting past procurement", author=make_rep("author"))
    sign_in(make_rep("riley"))
    page.goto(tip.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Getting past procurement")
    assert view_count_after_beacons(page, tip) == 1
    page.reload()
    expect(page.locator("main")).to_contain_text("1 view")
    page.wait_for_timeout(1000)
    writebuffer.flush_all()
    assert TipPage.objects.get(pk=tip.pk).view_count == 1
