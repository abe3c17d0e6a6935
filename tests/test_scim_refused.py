"""SCIM calls refused (no or bad token, no token set up, malformed bodies) change nothing."""

import re

import pytest
from django.test import Client

from identity.models import DirectoryGroup, ScimToken
from knowledge import roles

from .factories import PASSWORD
from .scim_support import (
    ERROR,
    GROUP_SCHEMA,
    PATCH_OP,
    TOKEN,
    USER_SCHEMA,
    User,
    create,
    directory_fixture,  # noqa: F401 (the directory fixture)
    okta_fixture,  # noqa: F401 (the okta fixture)
    okta_user,
    patch,
    role_names,
    send,
    signed_in,
)

pytestmark = pytest.mark.django_db


# Refused calls change nothing


@pytest.mark.parametrize(
    "header",
    [None, f"Bearer {TOKEN}x", f"Basic {TOKEN}", "Bearer "],
    ids=["no token", "wrong token", "not bearer", "empty"],
)
def test_a_missing_or_bad_token_is_refused_and_changes_nothing(directory, okta, header):
    dana = create(okta, okta_user())
    intruder = Client(**({"HTTP_AUTHORIZATION": header} if header else {}))
    for method, path, body in [
        ("post", "Users", okta_user(user_name="mallory@example.com")),
        ("patch", f"Users/{dana['id']}", patch({"op": "replace", "value": {"active": False}})),
        ("delete", f"Users/{dana['id']}", None),
        ("get", "Users", None),
    ]:
        response = send(intruder, method, path, body)
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert response.json()["schemas"] == [ERROR]
    assert list(User.objects.values_list("username", "is_active")) == [("dana.rivera@example.com", True)]


def test_tokens_made_in_the_admin_work_until_revoked_and_only_their_hash_is_kept(directory, settings):
    settings.SCIM_TOKEN = ""
    admin = Client()
    admin.force_login(User.objects.create_superuser("it", "it@example.com", PASSWORD))
    response = admin.post("/django-admin/identity/scimtoken/add/", {"name": "Okta provisioning"}, follow=True)
    key = re.search(r"The SCIM token for “Okta provisioning” is (\S+) ", response.content.decode()).group(1)
    token = ScimToken.objects.get()
    assert key not in (token.key_hash, token.prefix) and len(token.key_hash) == 64
    provider = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert send(provider, "get", "Users").status_code == 200
    assert ScimToken.objects.get().last_used_at is not None
    admin.post(
        "/django-admin/identity/scimtoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert send(provider, "get", "Users").status_code == 404  # no token left: provisioning is off


def test_without_a_configured_token_the_endpoints_answer_404_and_do_nothing(settings):
    settings.SCIM_TOKEN = ""
    client = Client(HTTP_AUTHORIZATION="Bearer anything")
    response = send(client, "post", "Users", okta_user())
    assert response.status_code == 404 and "not set up" in response.json()["detail"]
    assert send(client, "get", "ServiceProviderConfig").status_code == 404
    assert not User.objects.exists()


MALFORMED_CREATE = {
    "not json": "{'userName': 'dana'",
    "no userName": {"schemas": [USER_SCHEMA], "name": {"givenName": "Dana"}},
    "userName not a string": {**okta_user(), "userName": 42},
    "bad username characters": {**okta_user(), "userName": "dana rivera"},
    "bad e-mail": {**okta_user(), "emails": [{"primary": True, "value": "not-an-address"}]},
    "emails not objects": {**okta_user(), "emails": ["dana@example.com"]},
    "active not a boolean": {**okta_user(), "active": "maybe"},
    "name not an object": {**okta_user(), "name": "Dana Rivera"},
    "NUL in a name": {**okta_user(), "name": {"givenName": "Da\x00na", "familyName": "Rivera"}},
    "a list": [okta_user()],
}


@pytest.mark.parametrize("body", MALFORMED_CREATE.values(), ids=MALFORMED_CREATE.keys())
def test_a_malformed_user_is_refused_with_a_scim_error_and_nobody_is_created(okta, body):
    response = send(okta, "post", "Users", body)
    assert response.status_code == 400
    error = response.json()
    assert error["schemas"] == [ERROR] and error["detail"]
    assert not User.objects.exists()


MALFORMED_PATCH = {
    "unknown op": patch({"op": "frobnicate", "path": "active", "value": False}),
    "active not a boolean": patch({"op": "replace", "path": "active", "value": "nope"}),
    "operations not a list": {"schemas": [PATCH_OP], "Operations": {"op": "replace"}},
    "no operations": {"schemas": [PATCH_OP]},
    "remove without a path": patch({"op": "remove"}),
    "value not an object": patch({"op": "replace", "value": False}),
    "second operation bad": patch(
        {"op": "replace", "path": "active", "value": False},
        {"op": "replace", "path": "name.familyName", "value": 7},
    ),
    "bad e-mail": patch({"op": "replace", "path": 'emails[type eq "work"].value', "value": "nope"}),
}


@pytest.mark.parametrize("body", MALFORMED_PATCH.values(), ids=MALFORMED_PATCH.keys())
def test_a_malformed_patch_is_refused_with_a_scim_error_and_changes_nothing(okta, body):
    dana = create(okta, okta_user())
    browser = Client()
    browser.force_login(User.objects.get(pk=dana["id"]))
    response = send(okta, "patch", f"Users/{dana['id']}", body)
    assert response.status_code == 400
    assert response.json()["schemas"] == [ERROR]
    user = User.objects.get(pk=dana["id"])
    assert (user.is_active, user.last_name, user.email) == (True, "Rivera", "dana.rivera@example.com")
    assert signed_in(browser)


def test_a_group_naming_someone_unknown_is_refused_and_changes_nothing(okta):
    dana = create(okta, okta_user())
    group = send(okta, "post", "Groups", {"schemas": [GROUP_SCHEMA], "displayName": "huddle-managers", "members": []})
    path = f"Groups/{group.json()['id']}"
    response = send(
        okta,
        "patch",
        path,
        patch({"op": "add", "path": "members", "value": [{"value": dana["id"]}, {"value": "99999"}]}),
    )
    assert response.status_code == 400 and "99999" in response.json()["detail"]
    assert role_names(User(pk=dana["id"])) == {roles.REPS}
    bad_group = send(okta, "post", "Groups", {"schemas": [GROUP_SCHEMA], "members": []})
    assert bad_group.status_code == 400
    assert DirectoryGroup.objects.count() == 1
