"""SCIM discovery, an independent conformance checker (scim2-tester) and the cost of listing users."""

import pytest

from identity.models import DirectoryGroup, ProvisionedAccount

from .factories import make_rep
from .scim_support import (
    TOKEN,
    USER_SCHEMA,
    directory_fixture,  # noqa: F401 (the directory fixture)
    okta_fixture,  # noqa: F401 (the okta fixture)
    send,
)

pytestmark = pytest.mark.django_db


# Discovery, conformance and cost

# What scim2-tester reports that Huddle does on purpose: (check, attribute) -> why.
KNOWN_DEPARTURES = {
    ("object_deletion", None): "DELETE deactivates the person, whose content keeps their name; GET still finds them",
    ("check_add_attribute", "name"): "name.formatted is made by Huddle from the given and family names",
    ("check_replace_attribute", "name"): "name.formatted is made by Huddle from the given and family names",
    ("check_add_attribute", "members"): "members[].display is the person's name, set by Huddle",
    ("check_replace_attribute", "members"): "members[].display is the person's name, set by Huddle",
    ("check_add_attribute", "emails"): "Huddle keeps one address and marks it primary, whatever was sent",
    ("check_replace_attribute", "emails"): "Huddle keeps one address and marks it primary, whatever was sent",
    ("check_remove_attribute", "active"): "removing 'active' leaves it as it is: only true or false change it",
}


@pytest.fixture
def wsgi_app():
    """Huddle's WSGI application, keeping the test's database connection as Django's test client does."""
    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_an_independent_scim_checker_finds_only_the_known_departures(directory, wsgi_app):
    """scim2-tester (RFC 7643/7644 checks) discovers the schemas, then creates, reads, searches,
    replaces, patches and deletes Users and Groups through the whole site."""
    from scim2_client.engines.wsgi import WSGISCIMClient
    from scim2_tester import Status, check_server

    headers = {"Authorization": f"Bearer {TOKEN}"}
    client = WSGISCIMClient(wsgi_app, base_url="http://testserver/scim/v2", headers=headers)
    results = check_server(client)
    passed = [result for result in results if result.status == Status.SUCCESS]
    departures = {
        (result.title, (result.data or {}).get("urn") if isinstance(result.data, dict) else None): result.reason
        for result in results
        if result.status not in (Status.SUCCESS, Status.SKIPPED)
    }
    unexpected = {key: reason for key, reason in departures.items() if key not in KNOWN_DEPARTURES}
    assert not unexpected, unexpected
    assert len(passed) >= 50, [result.title for result in passed]
    assert {"object_creation", "object_query", "object_replacement", "check_add_attribute"} <= {r.title for r in passed}


def test_discovery_endpoints_describe_what_huddle_supports(okta):
    config = send(okta, "get", "ServiceProviderConfig").json()
    assert config["patch"]["supported"] and config["filter"]["supported"] and not config["bulk"]["supported"]
    assert config["authenticationSchemes"][0]["type"] == "oauthbearertoken"
    types = send(okta, "get", "ResourceTypes").json()["Resources"]
    assert {resource["endpoint"] for resource in types} == {"/Users", "/Groups"}
    schemas = send(okta, "get", "Schemas").json()["Resources"]
    assert USER_SCHEMA in {schema["id"] for schema in schemas}


@pytest.mark.parametrize("people", [1, 10])
def test_listing_users_costs_the_same_queries_for_1_or_10_people(okta, people, django_assert_num_queries):
    group = DirectoryGroup.objects.create(display_name="huddle-managers")
    for number in range(people):
        user = make_rep(f"rep{number}")
        group.members.add(user)
        ProvisionedAccount.objects.create(user=user, external_id=f"ext-{number}")
    send(okta, "get", "Users")  # the site and its home page are cached from here on
    # The users, their accounts, their groups.
    with django_assert_num_queries(3):
        response = send(okta, "get", "Users")
    assert response.json()["totalResults"] == people
