"""Signing in through a real SAML 2.0 identity provider on the loopback (pysaml2's IdP, tests/saml_idp.py)."""

import base64
import html
import re

import httpx
import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django.asserts import assertContains

from identity.configuration import saml_settings
from knowledge import roles
from leaderboard.models import RepProfile

from .saml_idp import saml_idp, trust_site  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

ERIN = {
    "uid": ["erin"],
    "mail": ["erin@example.com"],
    "givenName": ["Erin"],
    "sn": ["Castell"],
    "groups": ["huddle-marketing", "team-south"],
}


@pytest.fixture
def provider(saml_idp, settings, tmp_path):  # noqa: F811
    """The site set up from the variables the README names, and registered with the provider."""
    for name, value in saml_settings(
        {
            "SAML_IDP_METADATA": saml_idp.metadata_file,
            "SAML_SP_KEY_FILE": saml_idp.sp_key_file,
            "SAML_SP_CERT_FILE": saml_idp.sp_cert_file,
        },
        "http://testserver",
    ).items():
        setattr(settings, name, value)
    backends = list(settings.AUTHENTICATION_BACKENDS)
    settings.AUTHENTICATION_BACKENDS = [backends[0], "identity.saml.SamlBackend", *backends[1:]]
    settings.DIRECTORY_ROLE_GROUPS = {"huddle-marketing": roles.MARKETING, "huddle-managers": roles.MANAGERS}
    settings.DIRECTORY_TEAM_GROUPS = {"team-south": "South"}
    metadata = Client().get("/saml2/metadata/")
    assert metadata.status_code == 200
    trust_site(saml_idp, metadata.content.decode(), tmp_path)
    return saml_idp


def through_provider(client: Client, provider, person: dict, tamper=None):
    """Clicks the company sign-in button, signs in at the provider, and posts its answer back."""
    provider.person = person
    start = client.get("/saml2/login/?next=/tips/")
    assert start.status_code == 302 and start.url.startswith(provider.url), start
    form = httpx.get(start.url, timeout=10).text
    fields = {name: html.unescape(value) for name, value in re.findall(r'name="(\w+)" value="([^"]*)"', form)}
    assert "SAMLResponse" in fields, form
    if tamper:
        fields["SAMLResponse"] = base64.b64encode(tamper(base64.b64decode(fields["SAMLResponse"]))).decode()
    return client.post("/saml2/acs/", fields)


def test_the_sign_in_page_offers_the_company_button_once_saml_is_set_up(provider):
    assertContains(Client().get("/accounts/login/"), "Sign in with your company account")


def test_a_person_signs_in_through_the_provider_and_lands_where_they_were_going(provider):
    client = Client()
    answer = through_provider(client, provider, ERIN)
    assert answer.status_code == 302 and answer.url == "/tips/"
    erin = User.objects.get(username="erin")
    assert (erin.get_full_name(), erin.email) == ("Erin Castell", "erin@example.com")
    assert set(erin.groups.values_list("name", flat=True)) == {roles.MARKETING}
    assert RepProfile.objects.get(user=erin).team.name == "South"
    assert client.get("/tips/").status_code == 200


def test_groups_asserted_at_the_next_sign_in_replace_the_roles(provider):
    through_provider(Client(), provider, ERIN)
    through_provider(Client(), provider, dict(ERIN, groups=["huddle-managers"]))
    assert set(User.objects.get(username="erin").groups.values_list("name", flat=True)) == {roles.MANAGERS}


def test_a_tampered_assertion_is_refused_and_signs_nobody_in(provider):
    client = Client()
    answer = through_provider(
        client, provider, ERIN, tamper=lambda xml: xml.replace(b">erin@example.com<", b">boss@example.com<")
    )
    assertContains(answer, "Your company sign-in was not accepted", status_code=403)
    assert not User.objects.filter(username="erin").exists()
    assert client.get("/tips/").status_code == 302  # still signed out


def test_someone_switched_off_in_huddle_stays_out(provider):
    through_provider(Client(), provider, ERIN)
    User.objects.filter(username="erin").update(is_active=False)
    client = Client()
    through_provider(client, provider, ERIN)
    assert client.get("/tips/").status_code == 302


def test_without_saml_set_up_its_pages_do_not_exist():
    assert Client().get("/saml2/login/").status_code == 404
    assert "company account" not in Client().get("/accounts/login/").content.decode()
