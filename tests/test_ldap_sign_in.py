"""Signing in with a directory password against a real OpenLDAP server (slapd, tests/ldap_server.py)."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django.asserts import assertContains

from identity.configuration import ldap_settings
from knowledge import roles
from leaderboard.models import RepProfile

from .factories import PASSWORD, make_marketer
from .ldap_server import ldap_directory  # noqa: F401 (the fixture)
from .test_login_throttling import sign_in

pytestmark = pytest.mark.django_db

WRONG = "Your username and password didn't match"


@pytest.fixture
def directory(ldap_directory, settings):  # noqa: F811
    """Huddle configured as the README says, from the same variables an operator sets."""
    for name, value in ldap_settings(
        {
            "LDAP_SERVER_URI": ldap_directory.uri,
            "LDAP_BIND_DN": "cn=service,ou=people,dc=example,dc=com",
            "LDAP_BIND_PASSWORD": "huddle-bind-pass",
            "LDAP_USER_SEARCH_BASE": "ou=people,dc=example,dc=com",
            "LDAP_GROUP_SEARCH_BASE": "ou=groups,dc=example,dc=com",
        }
    ).items():
        setattr(settings, name, value)
    backends = list(settings.AUTHENTICATION_BACKENDS)
    settings.AUTHENTICATION_BACKENDS = [backends[0], "identity.ldap.DirectoryBackend", *backends[1:]]
    settings.DIRECTORY_ROLE_GROUPS = {"huddle-reps": roles.REPS, "huddle-managers": roles.MANAGERS}
    settings.DIRECTORY_TEAM_GROUPS = {"team-north": "North"}
    return ldap_directory


def role_names(username: str) -> set[str]:
    return set(User.objects.get(username=username).groups.values_list("name", flat=True))


def test_a_directory_person_signs_in_with_their_directory_password_and_gets_name_role_and_team(directory):
    client = Client(enforce_csrf_checks=True)
    response = sign_in(client, "/accounts/login/", "ada", "ada-directory-pass")
    assert response.status_code == 302 and response.url == "/"
    ada = User.objects.get(username="ada")
    assert (ada.get_full_name(), ada.email) == ("Ada Lindqvist", "ada@example.com")
    assert not ada.has_usable_password()  # the password stays in the directory
    assert role_names("ada") == {roles.REPS}
    assert RepProfile.objects.get(user=ada).team.name == "North"
    assertContains(client.get("/"), "Ada")


def test_a_wrong_directory_password_is_refused_and_creates_nobody(directory):
    response = sign_in(Client(enforce_csrf_checks=True), "/accounts/login/", "ada", "not-her-password")
    assertContains(response, WRONG)
    assert not User.objects.filter(username="ada").exists()


def test_roles_follow_the_directory_at_every_sign_in(directory):
    sign_in(Client(), "/accounts/login/", "bo", "bo-directory-pass")
    assert role_names("bo") == {roles.MANAGERS}
    move = (
        "dn: cn={group},ou=groups,dc=example,dc=com\nchangetype: modify\n"
        "{change}: member\nmember: uid=bo,ou=people,dc=example,dc=com\n"
    )
    directory.modify(move.format(group="huddle-managers", change="delete"))
    directory.modify(move.format(group="huddle-reps", change="add"))
    try:
        client = Client()
        sign_in(client, "/accounts/login/", "bo", "bo-directory-pass")
        assert role_names("bo") == {roles.REPS}
        assert client.get("/leaderboard/analysis/").status_code == 403  # a manager's page, no longer his
    finally:
        directory.modify(move.format(group="huddle-reps", change="delete"))
        directory.modify(move.format(group="huddle-managers", change="add"))


def test_someone_switched_off_in_huddle_stays_out_with_a_good_directory_password(directory):
    sign_in(Client(), "/accounts/login/", "cy", "cy-directory-pass")
    User.objects.filter(username="cy").update(is_active=False)
    response = sign_in(Client(), "/accounts/login/", "cy", "cy-directory-pass")
    assert response.status_code == 200 and "_auth_user_id" not in response.wsgi_request.session


def test_a_directory_session_ends_when_the_person_is_switched_off(directory):
    """Even a session Huddle did not get to delete (a bulk update sends no signal) stops working."""
    client = Client()
    sign_in(client, "/accounts/login/", "cy", "cy-directory-pass")
    assert client.get("/").status_code == 200
    User.objects.filter(username="cy").update(is_active=False)
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_local_accounts_still_sign_in_beside_the_directory_and_when_it_is_down(directory, settings):
    make_marketer("local-admin")
    assert sign_in(Client(), "/accounts/login/", "local-admin", PASSWORD).status_code == 302
    settings.AUTH_LDAP_SERVER_URI = "ldap://127.0.0.1:9"  # nothing listens: the directory is down
    assert sign_in(Client(), "/accounts/login/", "local-admin", PASSWORD).status_code == 302
    assertContains(sign_in(Client(), "/accounts/login/", "ada", "ada-directory-pass"), WRONG)


def test_a_bad_group_type_is_a_clear_configuration_error():
    with pytest.raises(ValueError, match="LDAP_GROUP_TYPE must be one of"):
        ldap_settings({"LDAP_SERVER_URI": "ldap://x", "LDAP_USER_SEARCH_BASE": "dc=x", "LDAP_GROUP_TYPE": "roles"})
