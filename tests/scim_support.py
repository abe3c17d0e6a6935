"""What the SCIM tests share: the provider's settings and client, its request bodies, and signing in as a browser does.

The fixtures are named ``directory`` and ``okta``; a test module imports them to use them.
"""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from knowledge import roles

User = get_user_model()
TOKEN = "scim-test-token-8f2b"
SCIM = "application/scim+json"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


@pytest.fixture(name="directory")
def directory_fixture(settings):
    settings.SCIM_TOKEN = TOKEN
    settings.DIRECTORY_ROLE_GROUPS = {"huddle-managers": roles.MANAGERS, "huddle-marketing": roles.MARKETING}
    settings.DIRECTORY_TEAM_GROUPS = {"team-north": "North"}
    settings.DIRECTORY_DEFAULT_ROLE = roles.REPS


@pytest.fixture(name="okta")
def okta_fixture(directory):
    return Client(HTTP_AUTHORIZATION=f"Bearer {TOKEN}")


def send(client, method: str, path: str, body=None):
    """A SCIM call as the provider makes it: its JSON body with the SCIM media type."""
    if body is None:
        return getattr(client, method)(f"/scim/v2/{path}")
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return getattr(client, method)(f"/scim/v2/{path}", data=data, content_type=SCIM)


def okta_user(user_name="dana.rivera@example.com", given="Dana", family="Rivera", **extra):
    """The body Okta posts to create a user (its "Push new users")."""
    return {
        "schemas": [USER_SCHEMA],
        "userName": user_name,
        "name": {"givenName": given, "familyName": family},
        "emails": [{"primary": True, "value": user_name, "type": "work"}],
        "displayName": f"{given} {family}",
        "locale": "en-US",
        "externalId": "00ujl29u0le5T6Aj10h7",
        "groups": [],
        "active": True,
        **extra,
    }


def entra_user(user_name="Kai_Nakamura_3c16", given="Kai", family="Nakamura"):
    """The body Entra ID posts to create a user."""
    return {
        "schemas": [USER_SCHEMA, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        "userName": user_name,
        "active": True,
        "emails": [{"primary": True, "type": "work", "value": "kai@example.com"}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": f"{given} {family}", "familyName": family, "givenName": given},
        "roles": [],
    }


def patch(*operations):
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


def create(client, body) -> dict:
    response = send(client, "post", "Users", body)
    assert response.status_code == 201, response.content
    return response.json()


def role_names(user) -> set[str]:
    return set(User.objects.get(pk=user.pk).groups.values_list("name", flat=True))


def sign_in(client: Client, username: str, password: str):
    """Posts the sign-in form as a browser does."""
    page = client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    return client.post("/accounts/login/", {"username": username, "password": password, "csrfmiddlewaretoken": token})


def signed_in(client: Client) -> bool:
    response = client.get("/")
    return response.status_code == 200
