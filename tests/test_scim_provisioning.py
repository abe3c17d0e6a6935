"""SCIM 2.0 provisioning (/scim/v2/): Okta and Entra ID create, update and find people; groups give roles and teams.

The request bodies are the ones the providers send (Okta's and Microsoft's SCIM guides), through
the test client over the whole middleware stack.
"""

import pytest

from identity.models import DirectoryGroup, ProvisionedAccount
from knowledge import roles
from leaderboard.models import RepProfile

from .factories import PASSWORD, make_rep
from .scim_support import (
    ERROR,
    GROUP_SCHEMA,
    User,
    create,
    directory_fixture,  # noqa: F401 (the directory fixture)
    entra_user,
    okta_fixture,  # noqa: F401 (the okta fixture)
    okta_user,
    patch,
    role_names,
    send,
)

pytestmark = pytest.mark.django_db


# Creating and updating people


def test_okta_creates_a_person_who_appears_with_the_default_role(okta):
    body = create(okta, okta_user())
    assert body["userName"] == "dana.rivera@example.com" and body["active"] is True
    assert body["meta"]["location"] == f"http://testserver/scim/v2/Users/{body['id']}"
    assert "password" not in body
    dana = User.objects.get(pk=body["id"])
    assert (dana.get_full_name(), dana.email, dana.is_active) == ("Dana Rivera", "dana.rivera@example.com", True)
    assert not dana.has_usable_password()  # signs in through the company's sign-in
    assert role_names(dana) == {roles.REPS}
    assert ProvisionedAccount.objects.get(user=dana).external_id == "00ujl29u0le5T6Aj10h7"
    fetched = send(okta, "get", f"Users/{body['id']}").json()
    assert fetched["name"]["familyName"] == "Rivera" and fetched["externalId"] == "00ujl29u0le5T6Aj10h7"


def test_a_group_pushed_with_its_members_gives_them_its_role_and_team(okta):
    dana = create(okta, okta_user())
    managers = send(
        okta,
        "post",
        "Groups",
        {"schemas": [GROUP_SCHEMA], "displayName": "huddle-managers", "members": [{"value": dana["id"]}]},
    )
    assert managers.status_code == 201
    assert managers.json()["members"][0]["value"] == dana["id"]
    assert role_names(User(pk=dana["id"])) == {roles.MANAGERS}  # the default role gives way to the group's
    send(
        okta,
        "post",
        "Groups",
        {"schemas": [GROUP_SCHEMA], "displayName": "Team-North", "members": [{"value": dana["id"]}]},
    )
    assert RepProfile.objects.get(user_id=dana["id"]).team.name == "North"
    groups = send(okta, "get", f"Users/{dana['id']}").json()["groups"]
    assert sorted(group["display"] for group in groups) == ["Team-North", "huddle-managers"]


def test_okta_updates_name_and_email_with_put(okta):
    dana = create(okta, okta_user())
    changed = okta_user(given="Dana", family="Okafor", user_name="dana.okafor@example.com")
    changed["id"] = dana["id"]
    response = send(okta, "put", f"Users/{dana['id']}", changed)
    assert response.status_code == 200
    assert response.json()["name"]["familyName"] == "Okafor"
    user = User.objects.get(pk=dana["id"])
    assert (user.username, user.last_name, user.email) == (
        "dana.okafor@example.com",
        "Okafor",
        "dana.okafor@example.com",
    )


def test_entra_updates_name_and_email_with_patch(okta):
    kai = create(okta, entra_user())
    response = send(
        okta,
        "patch",
        f"Users/{kai['id']}",
        patch(
            {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "kai.n@example.com"},
            {"op": "Replace", "path": "name.familyName", "value": "Nakamura-Sato"},
            {"op": "Add", "path": "title", "value": "Account Executive"},  # not kept by Huddle: ignored
            {
                "op": "Add",
                "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
                "value": "Sales",
            },
        ),
    )
    assert response.status_code == 200, response.content
    user = User.objects.get(pk=kai["id"])
    assert (user.email, user.last_name, user.first_name) == ("kai.n@example.com", "Nakamura-Sato", "Kai")


def test_providers_look_people_and_groups_up_with_a_filter(okta):
    create(okta, okta_user())
    kai = create(okta, entra_user())
    make_rep("riley")  # a local account: the provider can adopt it by its userName
    found = send(okta, "get", 'Users?filter=userName eq "Kai_Nakamura_3c16"').json()
    assert found["totalResults"] == 1 and found["Resources"][0]["id"] == kai["id"]
    assert send(okta, "get", 'Users?filter=userName eq "riley"').json()["totalResults"] == 1
    by_id = send(okta, "get", f'Users?filter=id eq "{kai["id"]}"').json()
    assert [user["userName"] for user in by_id["Resources"]] == ["Kai_Nakamura_3c16"]
    assert send(okta, "get", 'Users?filter=userName eq "nobody@example.com"').json()["totalResults"] == 0
    by_external = send(okta, "get", 'Users?filter=externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"').json()
    assert [user["userName"] for user in by_external["Resources"]] == ["Kai_Nakamura_3c16"]
    send(okta, "post", "Groups", {"schemas": [GROUP_SCHEMA], "displayName": "huddle-managers", "members": []})
    groups = send(okta, "get", 'Groups?excludedAttributes=members&filter=displayName eq "huddle-managers"').json()
    assert [group["displayName"] for group in groups["Resources"]] == ["huddle-managers"]
    assert "members" not in groups["Resources"][0]  # Entra ID asks to leave them out
    only = send(okta, "get", f"Users/{kai['id']}?attributes=userName,name.givenName").json()
    assert only.keys() == {"schemas", "id", "userName", "name"} and only["name"] == {"givenName": "Kai"}
    bad = send(okta, "get", 'Users?filter=userName eq "unclosed')
    assert bad.status_code == 400 and bad.json()["schemas"] == [ERROR]


def test_superusers_are_out_of_the_providers_reach(okta):
    admin = User.objects.create_superuser("breakglass", "it@example.com", PASSWORD)
    assert send(okta, "get", 'Users?filter=userName eq "breakglass"').json()["totalResults"] == 0
    assert send(okta, "get", f"Users/{admin.pk}").status_code == 404
    response = send(okta, "patch", f"Users/{admin.pk}", patch({"op": "replace", "value": {"active": False}}))
    assert response.status_code == 404
    assert User.objects.get(pk=admin.pk).is_active
    taken = {**okta_user(user_name="breakglass"), "emails": [{"primary": True, "value": "it@example.com"}]}
    assert send(okta, "post", "Users", taken).status_code == 409


def test_a_taken_username_is_a_conflict(okta):
    create(okta, okta_user())
    response = send(okta, "post", "Users", okta_user(user_name="Dana.Rivera@example.com"))
    assert response.status_code == 409
    assert response.json()["scimType"] == "uniqueness"
    assert User.objects.filter(username__iexact="dana.rivera@example.com").count() == 1


# Group membership


def test_membership_added_and_removed_as_okta_and_entra_send_it_changes_the_role(okta):
    dana = create(okta, okta_user())
    kai = create(okta, entra_user())
    group = send(okta, "post", "Groups", {"schemas": [GROUP_SCHEMA], "displayName": "huddle-marketing", "members": []})
    path = f"Groups/{group.json()['id']}"
    added = send(okta, "patch", path, patch({"op": "add", "path": "members", "value": [{"value": dana["id"]}]}))
    assert added.status_code == 200
    send(okta, "patch", path, patch({"op": "Add", "path": "members", "value": [{"value": kai["id"]}]}))
    assert role_names(User(pk=dana["id"])) == role_names(User(pk=kai["id"])) == {roles.MARKETING}

    send(okta, "patch", path, patch({"op": "remove", "path": f'members[value eq "{dana["id"]}"]'}))  # Okta
    assert role_names(User(pk=dana["id"])) == {roles.REPS}
    send(okta, "patch", path, patch({"op": "Remove", "path": "members", "value": [{"value": kai["id"]}]}))  # Entra
    assert role_names(User(pk=kai["id"])) == {roles.REPS}
    assert send(okta, "get", path).json()["members"] == []


def test_renaming_or_deleting_a_group_re_applies_its_members_roles(okta):
    dana = create(okta, okta_user())
    group = send(
        okta, "post", "Groups", {"schemas": [GROUP_SCHEMA], "displayName": "sales", "members": [{"value": dana["id"]}]}
    )
    path = f"Groups/{group.json()['id']}"
    assert role_names(User(pk=dana["id"])) == {roles.REPS}
    renamed = send(
        okta,
        "patch",
        path,
        patch({"op": "replace", "value": {"id": group.json()["id"], "displayName": "huddle-managers"}}),
    )
    assert renamed.json()["displayName"] == "huddle-managers"
    assert role_names(User(pk=dana["id"])) == {roles.MANAGERS}
    assert send(okta, "delete", path).status_code == 204
    assert not DirectoryGroup.objects.exists()
    assert role_names(User(pk=dana["id"])) == {roles.REPS}
