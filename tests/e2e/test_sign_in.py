import pytest

from ..factories import make_user
from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_rep_signs_in_and_sees_the_home_page(page, live_server):
    make_user("riley", first_name="Riley")
    page.goto("/")
    assert "/accounts/login/" in page.url
    page.get_by_label("Username").fill("riley")
    page.get_by_label("Password").fill("huddle-test-pw")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome back, Riley")
    assert page.get_by_role("navigation", name="Main").is_visible()
    screenshot(page, "home-signed-in")
