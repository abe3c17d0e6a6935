"""What deactivating someone through SCIM, or in the Wagtail admin, ends: sessions, tokens, sign-in, board place."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from identity.models import SignedInSession
from knowledge import roles
from knowledge.models import FeedToken
from leaderboard import activity
from leaderboard.api_tokens import issue_token
from leaderboard.models import ActivityEvent, RepProfile

from .factories import PASSWORD, make_manager, make_tip
from .scim_support import (
    GROUP_SCHEMA,
    User,
    create,
    directory_fixture,  # noqa: F401 (the directory fixture)
    okta_fixture,  # noqa: F401 (the okta fixture)
    okta_user,
    patch,
    role_names,
    send,
    sign_in,
    signed_in,
)

pytestmark = pytest.mark.django_db


# Deactivating


@pytest.fixture
def dana(okta):
    """Dana, a rep provisioned by Okta with a synced password, in team North through her group, who shared a tip."""
    body = create(okta, okta_user(password="Dana-sync-pw-41"))
    send(
        okta,
        "post",
        "Groups",
        {"schemas": [GROUP_SCHEMA], "displayName": "team-north", "members": [{"value": body["id"]}]},
    )
    user = User.objects.get(pk=body["id"])
    activity.record(ActivityEvent.Verb.SHARED_TIP, actor=user, owner=user)
    return user


def test_deactivating_signs_the_person_out_and_refuses_their_token_their_sign_in_and_their_board_place(
    okta, dana, manager_client
):
    tip = make_tip("Ask for the budget owner by name", author=dana)
    browser = Client()
    assert sign_in(browser, "dana.rivera@example.com", "Dana-sync-pw-41").status_code == 302
    assert signed_in(browser)
    _, key = issue_token(user=dana, name="CRM webhook")
    api = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert Client().get("/api/leaderboard", **api).status_code == 200
    feed = reverse("private_feed_tips", kwargs={"key": FeedToken.objects.create(user=dana).key})
    assert Client().get(feed).status_code == 200
    board = reverse("leaderboard")
    assertContains(manager_client.get(board), reverse("leaderboard_rep", args=[dana.username]))

    response = send(okta, "patch", f"Users/{dana.pk}", patch({"op": "replace", "value": {"active": False}}))
    assert response.status_code == 200 and response.json()["active"] is False

    response = browser.get("/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert not SignedInSession.objects.filter(user=dana).exists()
    assert Client().get("/api/leaderboard", **api).status_code == 401
    assert Client().get(feed).status_code == 404
    refused = sign_in(Client(), "dana.rivera@example.com", "Dana-sync-pw-41")
    assert refused.status_code == 200 and "_auth_user_id" not in refused.client.session
    assertNotContains(manager_client.get(board), reverse("leaderboard_rep", args=[dana.username]))
    former = manager_client.get(board, {"former": "on"})
    assertContains(former, reverse("leaderboard_rep", args=[dana.username]))
    assertContains(manager_client.get(tip.url), "Dana Rivera")  # her tip keeps her name


def test_entra_deactivates_with_a_string_and_reactivation_restores_sign_in_only(okta, dana):
    browser = Client()
    sign_in(browser, "dana.rivera@example.com", "Dana-sync-pw-41")
    _, key = issue_token(user=dana, name="CRM webhook")
    old_session = browser.session.session_key

    response = send(okta, "patch", f"Users/{dana.pk}", patch({"op": "Replace", "path": "active", "value": "False"}))
    assert response.status_code == 200
    assert not User.objects.get(pk=dana.pk).is_active
    response = send(okta, "patch", f"Users/{dana.pk}", patch({"op": "Replace", "path": "active", "value": "True"}))
    assert response.json()["active"] is True

    assert not Session.objects.filter(session_key=old_session).exists()
    assert not signed_in(browser)  # the old session does not come back
    assert Client().get("/api/leaderboard", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    again = Client()
    assert sign_in(again, "dana.rivera@example.com", "Dana-sync-pw-41").status_code == 302
    assert signed_in(again)
    assert role_names(dana) == {roles.REPS}
    assert RepProfile.objects.get(user=dana).team.name == "North"


def test_delete_deactivates_and_keeps_the_person_and_their_content(okta, dana, manager_client):
    tip = make_tip("Ask for the budget owner by name", author=dana)
    assert send(okta, "delete", f"Users/{dana.pk}").status_code == 204
    assert not User.objects.get(pk=dana.pk).is_active
    assert send(okta, "get", f"Users/{dana.pk}").json()["active"] is False
    assertContains(manager_client.get(tip.url), "Dana Rivera")


def test_a_session_renewed_by_a_password_change_is_ended_too(dana, okta):
    browser = Client()
    sign_in(browser, "dana.rivera@example.com", "Dana-sync-pw-41")
    page = browser.get("/accounts/password_change/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    response = browser.post(
        "/accounts/password_change/",
        {
            "old_password": "Dana-sync-pw-41",
            "new_password1": "Another-long-pw-93",
            "new_password2": "Another-long-pw-93",
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302
    assert signed_in(browser)  # the new session key is recorded on this request
    send(okta, "patch", f"Users/{dana.pk}", patch({"op": "replace", "value": {"active": False}}))
    assert not Session.objects.filter(session_key=browser.session.session_key).exists()
    assert not signed_in(browser)


@pytest.mark.parametrize(
    "engine",
    [
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",  # production with REDIS_URL
        "django.contrib.sessions.backends.cache",
    ],
)
def test_deactivation_ends_sessions_on_each_session_engine(okta, dana, settings, engine):
    from importlib import import_module

    settings.SESSION_ENGINE = engine
    browser, second_device = Client(), Client()
    sign_in(browser, "dana.rivera@example.com", "Dana-sync-pw-41")
    sign_in(second_device, "dana.rivera@example.com", "Dana-sync-pw-41")
    keys = [browser.session.session_key, second_device.session.session_key]
    store = import_module(engine).SessionStore
    assert all(store().exists(key) for key in keys)
    send(okta, "patch", f"Users/{dana.pk}", patch({"op": "replace", "path": "active", "value": False}))
    assert not any(store().exists(key) for key in keys)
    assert not signed_in(browser) and not signed_in(second_device)


def test_deactivating_in_the_wagtail_admin_ends_sessions_and_tokens(directory):
    riley = make_manager("riley", first_name="Riley", last_name="Reyes")
    browser = Client()
    sign_in(browser, "riley", PASSWORD)
    _, key = issue_token(user=riley, name="CRM webhook")
    admin = Client()
    admin.force_login(User.objects.create_superuser("it", "it@example.com", PASSWORD))
    edit = reverse("wagtailusers_users:edit", args=[riley.pk])
    form = {
        "username": "riley",
        "email": "riley@example.com",
        "first_name": "Riley",
        "last_name": "Reyes",
        "groups": list(riley.groups.values_list("pk", flat=True)),
        # "is_active" left out: the box is unticked
    }
    response = admin.post(edit, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not User.objects.get(pk=riley.pk).is_active
    assert not signed_in(browser)
    assert Client().get("/api/leaderboard", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    assert sign_in(Client(), "riley", PASSWORD).status_code == 200  # the form again: refused

    response = admin.post(edit, {**form, "is_active": "on"})
    assert response.status_code == 302
    assert sign_in(Client(), "riley", PASSWORD).status_code == 302
