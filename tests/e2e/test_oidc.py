"""In Chromium: "Sign in with <provider>", the provider's own login and consent pages, back to Huddle with a role."""

import json

import pytest
from playwright.sync_api import expect

from identity.configuration import oidc_settings
from knowledge import roles

from ..oidc_idp import PASSWORD, start_provider, stop_provider
from .conftest import pause, screenshots, type_keys

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(scope="module")
def provider(live_server, tmp_path_factory):
    """The provider with Huddle's live server registered (consent asked, as many providers do)."""
    callback = f"{live_server.url}/accounts/oidc/company/login/callback/"
    started = start_provider(
        tmp_path_factory.mktemp("oidc-e2e"),
        [{"name": "Huddle", "client_id": "huddle", "secret": "huddle-secret", "redirect_uris": [callback]}],
    )
    yield started
    stop_provider(started)


@pytest.fixture
def company(provider, settings):
    providers = [
        {
            "id": "company",
            "name": "Example Sales",
            "server_url": provider.issuer,
            "client_id": "huddle",
            "secret": "huddle-secret",
        }
    ]
    for name, value in oidc_settings({"OIDC_PROVIDERS": json.dumps(providers)}).items():
        setattr(settings, name, value)
    settings.DIRECTORY_ROLE_GROUPS = {"sales-managers": roles.MANAGERS}
    settings.DIRECTORY_TEAM_GROUPS = {"team-north": "North"}
    return provider


def test_a_manager_signs_in_through_the_provider_and_lands_home_as_a_manager(page, live_server, company):
    page.goto("/")
    assert "/accounts/login/" in page.url
    button = page.get_by_role("button", name="Sign in with Example Sales")
    expect(button).to_be_visible()
    screenshots(page, "oidc-sign-in-page")
    pause(page)
    button.click()

    page.wait_for_url(f"{company.url}/login/**")
    expect(page.get_by_role("heading", name="Example Sales sign-in")).to_be_visible()
    type_keys(page.get_by_label("Username"), "mara")
    type_keys(page.get_by_label("Password"), PASSWORD)
    pause(page)
    page.get_by_role("button", name="Continue").click()
    authorize = page.get_by_role("button", name="Authorize")
    if authorize.is_visible():  # the provider asks once whether Huddle may have the name, e-mail and groups
        pause(page)
        authorize.click()

    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome back, Mara")
    expect(page.locator(".user-menu__name")).to_have_text("Mara Quint")
    screenshots(page, "oidc-signed-in-home")
    page.locator(".user-menu summary").click()
    expect(page.get_by_role("link", name="API tokens")).to_be_visible()  # managers' menu only
    expect(page.get_by_role("link", name="Change password")).to_have_count(0)  # no Huddle password to change
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Leaderboard").click()
    expect(page.get_by_role("link", name="Sharing vs results")).to_be_visible()  # the revenue side


def test_with_passwords_off_the_button_is_the_way_in(page, company, settings):
    settings.LOCAL_SIGN_IN = False
    settings.BREAK_GLASS_USERS = ["admin"]
    page.goto("/accounts/login/")
    expect(page.get_by_role("button", name="Sign in with Example Sales")).to_be_visible()
    expect(page.get_by_label("Password")).to_be_hidden()
    screenshots(page, "oidc-sign-in-page-passwords-off")
    page.get_by_text("Emergency administrator sign-in").click()
    expect(page.get_by_label("Password")).to_be_visible()
