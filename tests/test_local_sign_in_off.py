"""LOCAL_SIGN_IN=off: passwords refused on every sign-in page, except for the break-glass accounts."""

import json

import pytest
from axes.models import AccessAttempt
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains

from identity.configuration import oidc_settings

from .factories import PASSWORD, make_rep, make_user
from .test_login_throttling import LOCKED, browser, sign_in

pytestmark = pytest.mark.django_db

REFUSED = "Password sign-in here is only for the emergency administrator accounts"


@pytest.fixture
def passwords_off(settings):
    settings.LOCAL_SIGN_IN = False
    settings.BREAK_GLASS_USERS = ["admin"]
    for name, value in oidc_settings(
        {
            "OIDC_PROVIDERS": json.dumps(
                [
                    {
                        "id": "company",
                        "name": "Example Sales",
                        "server_url": "http://127.0.0.1:9/o",
                        "client_id": "h",
                        "secret": "s",
                    }
                ]
            )
        }
    ).items():
        setattr(settings, name, value)


def superuser(username: str = "admin"):
    return make_user(username, is_superuser=True, is_staff=True)


def test_with_passwords_on_the_form_is_the_way_in(client):
    page = client.get("/accounts/login/")
    assertContains(page, 'name="password"')
    assertContains(page, "Forgot your password?")
    assertNotContains(page, "Emergency administrator sign-in")


def test_the_page_leads_with_the_company_button_and_folds_the_form_away(passwords_off, client):
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with Example Sales" in page
    assert page.index("Sign in with Example Sales") < page.index('<details class="break-glass">')
    assert page.index("<summary>Emergency administrator sign-in</summary>") < page.index('name="password"')
    assert "Forgot your password?" not in page


def test_a_rep_with_a_password_is_refused_with_a_clear_message(passwords_off):
    make_rep("riley")
    client = browser()
    answer = sign_in(client, "/accounts/login/", "riley", PASSWORD)
    assertContains(answer, REFUSED)
    assertContains(answer, '<details class="break-glass" open>')
    assert "_auth_user_id" not in client.session


def test_the_admin_login_refuses_passwords_too(passwords_off):
    superuser("ops")  # a superuser not named in BREAK_GLASS_USERS
    for path in ("/admin/login/", "/django-admin/login/"):
        client = browser()
        answer = sign_in(client, path, "ops", PASSWORD)
        assert answer.status_code == 200, path
        assert "_auth_user_id" not in client.session, path


def test_the_wagtail_admin_offers_the_company_button_and_sends_newcomers_to_it(passwords_off, settings):
    settings.WAGTAILADMIN_LOGIN_URL = "login"  # what LOCAL_SIGN_IN=off sets when the settings load
    assert client_get("/admin/").url == "/accounts/login/?next=/admin/"
    page = client_get("/admin/login/?next=/admin/pages/").content.decode()
    assert "Sign in with Example Sales" in page
    assert '<input type="hidden" name="next" value="/admin/pages/">' in page  # back to the admin after
    assert "only for the emergency administrator accounts" in page


def test_with_passwords_on_the_wagtail_admin_login_is_unchanged(client):
    assert client.get("/admin/").url.startswith("/admin/login/")
    page = client.get("/admin/login/").content.decode()
    assert "Sign in with" not in page and "emergency administrator" not in page


def client_get(path):
    return browser().get(path)


def test_a_break_glass_account_still_signs_in_with_its_password(passwords_off):
    superuser("admin")
    client = browser()
    answer = sign_in(client, "/accounts/login/", "admin", PASSWORD)
    assert answer.status_code == 302 and answer.url == "/"
    assert client.get("/").status_code == 200
    admin_client = browser()
    assert sign_in(admin_client, "/admin/login/", "admin", PASSWORD).status_code == 302


def test_refused_passwords_still_count_towards_the_lockout(passwords_off):
    """Throttling holds with passwords off: guesses at the break-glass account lock it like any other."""
    superuser("admin")
    for _ in range(5):
        sign_in(browser(), "/accounts/login/", "admin", "wrong-guess", address="10.0.9.9")
    locked = sign_in(browser(), "/accounts/login/", "admin", PASSWORD, address="10.0.8.8")
    assertContains(locked, LOCKED, status_code=429)
    assertContains(locked, '<details class="break-glass" open>', status_code=429)
    make_rep("riley")
    for _ in range(5):
        sign_in(browser(), "/accounts/login/", "riley", PASSWORD, address="10.0.7.7")
    assert AccessAttempt.objects.get(username="riley").failures_since_start == 5
    assert sign_in(browser(), "/accounts/login/", "riley", PASSWORD, address="10.0.6.6").status_code == 429


def test_signed_in_people_stay_signed_in_when_passwords_are_turned_off(settings):
    rep = make_rep("riley")
    client = Client()
    client.force_login(rep)
    settings.LOCAL_SIGN_IN = False
    assert client.get("/").status_code == 200
