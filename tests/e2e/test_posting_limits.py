"""Over the posting limit, the feed box shows why and keeps what the person typed."""

import pytest
from playwright.sync_api import expect

from ..factories import make_rep
from .conftest import pause, screenshots, type_keys

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_posting_too_fast_from_the_feed_box_says_so_and_keeps_the_text(page, sign_in, settings):
    settings.POST_RATE_LIMIT = "1/60"
    sign_in(make_rep("riley", first_name="Riley"))
    page.goto("/")
    box = page.get_by_label("Share a quick win")
    type_keys(box, "Sent the ROI sheet before the call")
    pause(page)
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.locator("#stream article").first).to_contain_text("Sent the ROI sheet before the call")
    expect(box).to_have_value("")

    type_keys(box, "A second win straight away")
    pause(page)
    with page.expect_response(lambda response: response.url.endswith("/microposts/")) as answer:
        page.get_by_role("button", name="Post", exact=True).click()
    assert answer.value.status == 429 and int(answer.value.headers["retry-after"]) > 0
    expect(page.locator("#micropost-box").get_by_role("alert")).to_contain_text(
        "You're posting too fast: at most 1 post every 60 seconds. Try again in"
    )
    expect(box).to_have_value("A second win straight away")  # nothing lost
    expect(page.locator("#stream article")).to_have_count(1)
    screenshots(page, "posting-too-fast")
