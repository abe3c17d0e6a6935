"""Sign-in throttling on the real login pages (site and /admin/login/), and password-reset limits."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.utils import timezone
from pytest_django.asserts import assertContains

from .factories import PASSWORD, make_marketer, make_rep

pytestmark = pytest.mark.django_db

LOCKED = "Too many failed sign-ins for this account or from your network"


def sign_in(client: Client, path: str, username: str, password: str, *, address: str = "10.0.0.1"):
    """Posts the login form as a browser does: fetch the page first for the CSRF token."""
    page = client.get(path)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    return client.post(
        path, {"username": username, "password": password, "csrfmiddlewaretoken": token}, REMOTE_ADDR=address
    )


def browser() -> Client:
    return Client(enforce_csrf_checks=True)


def test_after_five_wrong_passwords_the_right_one_is_refused_with_a_clear_message():
    make_rep("riley")
    client = browser()
    for _ in range(4):
        response = sign_in(client, "/accounts/login/", "riley", "wrong-guess")
        assert response.status_code == 200
        assertContains(response, "Your username and password didn't match")
    response = sign_in(client, "/accounts/login/", "riley", "wrong-guess")
    assert response.status_code == 429
    response = sign_in(client, "/accounts/login/", "riley", PASSWORD)
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 15 * 60
    assertContains(response, LOCKED, status_code=429)
    assertContains(response, "paused for 15 minutes", status_code=429)
    assertContains(response, 'value="riley"', status_code=429)  # the username stays in the box
    assert "_auth_user_id" not in client.session


def test_the_account_is_locked_from_any_address():
    """Guessing one account's password from many addresses does not get around the limit."""
    make_rep("riley")
    for number in range(5):
        sign_in(browser(), "/accounts/login/", "riley", "wrong", address=f"10.0.1.{number}")
    response = sign_in(browser(), "/accounts/login/", "riley", PASSWORD, address="10.0.2.1")
    assert response.status_code == 429
    assertContains(response, LOCKED, status_code=429)


def test_a_few_colleagues_typos_behind_one_address_lock_nobody_else():
    """An office signs in from one address: five people mistyping once each locks no one."""
    make_rep("riley")
    for number in range(5):
        make_rep(f"colleague{number}")
        sign_in(browser(), "/accounts/login/", f"colleague{number}", "typo", address="10.0.3.3")
    assert sign_in(browser(), "/accounts/login/", "riley", PASSWORD, address="10.0.3.3").status_code == 302


def test_an_address_is_locked_across_accounts_after_twenty_failures():
    make_rep("riley")
    for number in range(20):
        sign_in(browser(), "/accounts/login/", f"guess{number}", "wrong", address="10.0.3.3")
    locked = sign_in(browser(), "/accounts/login/", "riley", PASSWORD, address="10.0.3.3")
    assert locked.status_code == 429
    assertContains(locked, LOCKED, status_code=429)
    elsewhere = browser()
    assert sign_in(elsewhere, "/accounts/login/", "riley", PASSWORD, address="10.0.4.4").status_code == 302


def test_the_admin_login_page_is_throttled_too():
    make_marketer("mara")
    client = browser()
    for _ in range(5):
        sign_in(client, "/admin/login/", "mara", "wrong")
    response = sign_in(client, "/admin/login/", "mara", PASSWORD)
    assert response.status_code == 429
    assertContains(response, LOCKED, status_code=429)
    assert "_auth_user_id" not in client.session


def test_the_lockout_ends_by_itself():
    make_rep("riley")
    client = browser()
    for _ in range(5):
        sign_in(client, "/accounts/login/", "riley", "wrong")
    assert sign_in(client, "/accounts/login/", "riley", PASSWORD).status_code == 429
    # Sixteen minutes later (the attempts are dated back rather than the clock moved on).
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = sign_in(client, "/accounts/login/", "riley", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(username="riley").pk)


def test_behind_the_proxy_the_visitors_address_counts_not_the_proxys():
    """nginx forwards every request from 127.0.0.1: one visitor's failures must not lock the rest."""
    make_rep("riley")
    for number in range(20):
        Client().post(
            "/accounts/login/",
            {"username": f"guess{number}", "password": "x"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )
    assert AccessAttempt.objects.filter(ip_address="203.0.113.9").count() == 20
    response = Client().post(
        "/accounts/login/",
        {"username": "riley", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert response.status_code == 302


def test_an_admin_sees_the_failed_attempts(client):
    make_rep("riley")
    for _ in range(3):
        sign_in(browser(), "/accounts/login/", "riley", "wrong", address="10.9.9.9")
    admin = User.objects.create_superuser("root", "root@example.com", PASSWORD)
    client.force_login(admin)
    response = client.get("/django-admin/axes/accessattempt/")
    assert response.status_code == 200
    assertContains(response, "riley")
    assertContains(response, "10.9.9.9")


def test_password_reset_emails_are_limited_per_address():
    make_rep("riley")
    client = browser()
    for _ in range(3):
        page = client.get("/accounts/password_reset/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
        data = {"email": "riley@example.com", "csrfmiddlewaretoken": token}
        response = client.post("/accounts/password_reset/", data)
        assert response.status_code == 302
    response = client.post("/accounts/password_reset/", {"email": "Riley@Example.com", "csrfmiddlewaretoken": token})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assertContains(response, "Too many password-reset e-mails were asked for just now", status_code=429)
    assertContains(response, 'value="Riley@Example.com"', status_code=429)
    assert len(mail.outbox) == 3


def test_password_reset_emails_are_limited_per_visitor_across_addresses():
    for number in range(11):
        make_rep(f"rep{number}")
    client = Client()
    answers = [
        client.post("/accounts/password_reset/", {"email": f"rep{number}@example.com"}).status_code
        for number in range(11)
    ]
    assert answers == [302] * 10 + [429]
    assert len(mail.outbox) == 10


def test_the_admin_password_reset_page_shares_the_limit():
    """Wagtail's own reset page sends the same e-mails: three to one address, then refused."""
    make_marketer("mara")
    client = Client()
    answers = [client.post("/admin/password_reset/", {"email": "mara@example.com"}).status_code for _ in range(4)]
    assert answers == [302, 302, 302, 429]
    assert len(mail.outbox) == 3
    response = client.post("/admin/password_reset/", {"email": "mara@example.com"})
    assertContains(response, "Too many password-reset e-mails were asked for just now", status_code=429)
