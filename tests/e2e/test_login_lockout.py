"""A person who keeps mistyping a password is told signing in is paused, and for how long."""

import pytest
from playwright.sync_api import expect

from ..factories import PASSWORD, make_user
from .conftest import pause, screenshots, type_keys

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_five_wrong_passwords_pause_signing_in_even_with_the_right_one(page, live_server):
    make_user("riley", first_name="Riley")
    page.goto("/accounts/login/")
    for _ in range(5):
        if not page.get_by_label("Username").input_value():  # the page keeps it after a failure
            type_keys(page.get_by_label("Username"), "riley")
        type_keys(page.get_by_label("Password"), "not-the-password")
        pause(page, 0.3)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
    type_keys(page.get_by_label("Password"), PASSWORD)
    pause(page)
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.get_by_role("button", name="Sign in").click()
    assert answer.value.status == 429
    expect(page.get_by_role("alert")).to_contain_text(
        "Too many failed sign-ins for this account or from your network, so signing in is paused for 15 minutes"
    )
    expect(page.get_by_label("Username")).to_have_value("riley")
    screenshots(page, "sign-in-locked-out")
    page.goto("/")
    assert "/accounts/login/" in page.url  # still signed out
