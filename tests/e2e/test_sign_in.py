import pytest
from playwright.sync_api import expect

from ..factories import make_user
from .conftest import pause, screenshots, type_keys

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_rep_signs_in_and_sees_the_home_page(page, live_server):
    make_user("riley", first_name="Riley")
    page.goto("/")
    assert "/accounts/login/" in page.url
    type_keys(page.get_by_label("Username"), "riley")
    type_keys(page.get_by_label("Password"), "huddle-test-pw")
    expect(page.get_by_label("Username")).to_have_value("riley")
    pause(page)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome back, Riley")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    screenshots(page, "home-signed-in")


def test_a_wrong_password_says_so_and_keeps_the_username(page):
    make_user("riley", first_name="Riley")
    page.goto("/accounts/login/")
    type_keys(page.get_by_label("Username"), "riley")
    type_keys(page.get_by_label("Password"), "not-the-password")
    pause(page)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Your username and password didn't match. Please try again.")
    expect(page.get_by_label("Username")).to_have_value("riley")
    screenshots(page, "sign-in-wrong-password")
