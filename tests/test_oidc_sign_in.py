"""Signing in through a real OpenID provider on the loopback (django-oauth-toolkit, tests/oidc_provider/)."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains

from identity.configuration import oidc_settings
from knowledge import roles
from leaderboard.models import RepProfile

from .factories import make_rep
from .oidc_idp import sign_in_at_provider, start_provider, stop_provider

pytestmark = pytest.mark.django_db

CALLBACK = "http://testserver/accounts/oidc/{}/login/callback/"
REFUSED = "Your company sign-in was not accepted"


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    """The provider process for the session, with Huddle registered twice (two buttons, two providers)."""
    provider = start_provider(
        tmp_path_factory.mktemp("oidc-provider"),
        [
            {
                "name": "Huddle",
                "client_id": "huddle",
                "secret": "huddle-secret",
                "redirect_uris": [CALLBACK.format("company")],
            },
            {
                "name": "Huddle partners",
                "client_id": "huddle-partners",
                "secret": "partner-secret",
                "redirect_uris": [CALLBACK.format("partners")],
            },
        ],
    )
    yield provider
    stop_provider(provider)


def configure(settings, providers: list[dict]) -> None:
    """Sets the site up from OIDC_PROVIDERS as the README says, with the directory mapping."""
    import json

    for name, value in oidc_settings({"OIDC_PROVIDERS": json.dumps(providers)}).items():
        setattr(settings, name, value)
    settings.DIRECTORY_ROLE_GROUPS = {"sales-managers": roles.MANAGERS, "huddle-marketing": roles.MARKETING}
    settings.DIRECTORY_TEAM_GROUPS = {"team-north": "North"}


def entry(provider_id: str, name: str, server_url: str, client_id: str, secret: str) -> dict:
    """One provider in OIDC_PROVIDERS, as the README shows it."""
    return {"id": provider_id, "name": name, "server_url": server_url, "client_id": client_id, "secret": secret}


@pytest.fixture
def company(oidc_provider, settings):
    configure(
        settings,
        [entry("company", "Example Sales", oidc_provider.issuer, "huddle", "huddle-secret")],
    )
    return oidc_provider


def start(client: Client, provider_id: str = "company", next_url: str = "/tips/"):
    """Clicks "Sign in with ..." on the sign-in page: the button posts to Huddle, which sends the browser on."""
    page = client.get(f"/accounts/login/?next={next_url}")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    answer = client.post(f"/accounts/oidc/{provider_id}/login/", {"next": next_url, "csrfmiddlewaretoken": token})
    assert answer.status_code == 302, answer
    return answer.url


def callback_path(redirect: str) -> str:
    parts = urlsplit(redirect)
    return f"{parts.path}?{parts.query}"


def sign_in(client: Client, username: str, provider_id: str = "company"):
    authorize = start(client, provider_id)
    return client.get(callback_path(sign_in_at_provider(authorize, username)))


def browser() -> Client:
    return Client(enforce_csrf_checks=True)


def roles_of(user: User) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_the_full_code_flow_with_pkce_signs_a_manager_in_with_role_and_team(company):
    client = browser()
    authorize = start(client)
    query = parse_qs(urlsplit(authorize).query)
    assert authorize.startswith(company.issuer + "/authorize/")
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43  # PKCE
    assert query["nonce"][0] and query["state"][0]
    assert query["redirect_uri"] == [CALLBACK.format("company")]

    answer = client.get(callback_path(sign_in_at_provider(authorize, "mara")))

    assert answer.status_code == 302 and answer.url == "/tips/"
    mara = User.objects.get(email="mara@example.com")
    assert (mara.get_full_name(), mara.has_usable_password()) == ("Mara Quint", False)
    assert roles_of(mara) == {roles.MANAGERS}
    assert RepProfile.objects.get(user=mara).team.name == "North"
    assert client.get("/tips/").status_code == 200
    assertContains(client.get("/leaderboard/analysis/"), "Sharing versus results")  # a manager's page


def test_an_existing_account_is_matched_by_email_and_its_roles_follow_the_groups_claim(company):
    """Someone who had a local account keeps it (same user); the provider's groups replace the roles."""
    existing = make_rep("mquint")
    User.objects.filter(pk=existing.pk).update(email="Mara@Example.com")
    client = browser()
    sign_in(client, "mara")
    assert User.objects.filter(email__iexact="mara@example.com").count() == 1
    existing.refresh_from_db()
    assert roles_of(existing) == {roles.MANAGERS}
    assert int(client.session["_auth_user_id"]) == existing.pk
    # The next sign-in goes through the linked account, and maps the groups again.
    existing.groups.clear()
    again = browser()
    sign_in(again, "mara")
    assert int(again.session["_auth_user_id"]) == existing.pk
    assert roles_of(existing) == {roles.MANAGERS}


def test_someone_switched_off_in_huddle_stays_out(company):
    User.objects.filter(pk=make_rep("mquint").pk).update(email="mara@example.com", is_active=False)
    client = browser()
    assertContains(sign_in(client, "mara"), "this account is switched off in Huddle", status_code=403)
    assert "_auth_user_id" not in client.session


def test_a_callback_with_another_state_is_refused(company):
    client = browser()
    redirect = sign_in_at_provider(start(client), "mara")
    forged = re.sub(r"state=[^&]+", "state=someone-elses-state", callback_path(redirect))
    answer = client.get(forged)
    assertContains(answer, REFUSED, status_code=403)
    assertContains(answer, "did not belong to a sign-in started in this browser", status_code=403)
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email="mara@example.com").exists()


def test_an_answer_used_twice_is_refused(company):
    """The state is spent by the first use: a replayed callback signs nobody in."""
    client = browser()
    callback = callback_path(sign_in_at_provider(start(client), "mara"))
    assert client.get(callback).status_code == 302
    assertContains(client.get(callback), REFUSED, status_code=403)


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("wrong-nonce", "nonce does not match"),
        ("bad-signature", "Signature verification failed"),
        ("expired", "Signature has expired"),
        ("wrong-audience", "Audience doesn&#x27;t match"),
    ],
)
def test_a_bad_id_token_is_refused_and_signs_nobody_in(company, fault, reason):
    client = browser()
    with company.serving(fault):
        answer = sign_in(client, "mara")
    assertContains(answer, REFUSED, status_code=403)
    assertContains(answer, reason, status_code=403)
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email__in=["mara@example.com", "boss@example.com"]).exists()
    assert client.get("/tips/").status_code == 302  # still signed out


def test_two_providers_show_two_buttons_and_each_signs_in(oidc_provider, settings):
    configure(
        settings,
        [
            entry("company", "Example Sales", oidc_provider.issuer, "huddle", "huddle-secret"),
            entry("partners", "Partner Portal", oidc_provider.issuer, "huddle-partners", "partner-secret"),
        ],
    )
    page = Client().get("/accounts/login/")
    assertContains(page, "Sign in with Example Sales")
    assertContains(page, "Sign in with Partner Portal")
    assertContains(page, 'action="/accounts/oidc/partners/login/"')
    client = browser()
    answer = sign_in(client, "erin", provider_id="partners")
    assert answer.status_code == 302
    assert roles_of(User.objects.get(email="erin@example.com")) == {roles.MARKETING}


def test_without_providers_there_is_no_button_and_no_route(settings):
    settings.SOCIALACCOUNT_PROVIDERS = oidc_settings({})["SOCIALACCOUNT_PROVIDERS"]
    assertNotContains(Client().get("/accounts/login/"), "Sign in with")
    assert Client().get("/accounts/oidc/company/login/").status_code == 404
    assert Client().post("/accounts/oidc/company/login/").status_code == 404
    assert Client().get("/accounts/oidc/company/login/callback/?code=x&state=y").status_code == 404


def test_allauths_own_account_pages_are_not_there():
    """Huddle's sign-in page is the only one: no local sign-up or second login page from allauth."""
    for path in ("/accounts/signup/", "/accounts/3rdparty/signup/", "/accounts/email/"):
        assert Client().get(path).status_code in {302, 404}, path
    assert Client().get("/accounts/signup/").status_code != 200


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("not json", "OIDC_PROVIDERS is not valid JSON"),
        ('[{"id": "okta", "name": "Okta"}]', "entry 1 lacks server_url, client_id, secret"),
        ('[{"id": "Okta Corp", "name": "O", "server_url": "u", "client_id": "c", "secret": "s"}]', "must be unique"),
    ],
)
def test_a_bad_provider_list_stops_with_a_clear_message(value, message):
    with pytest.raises(ValueError, match=message):
        oidc_settings({"OIDC_PROVIDERS": value})


def test_opening_the_button_address_directly_asks_before_leaving(company):
    """A GET (a link, a prefetch) never starts a sign-in: Huddle's page asks first, and its button posts."""
    page = Client().get("/accounts/oidc/company/login/?next=/tips/")
    assertContains(page, "You are about to leave Huddle to sign in at Example Sales.")
    assertContains(page, '<form method="post">')


@pytest.mark.parametrize("provider_count", [0, 2])
def test_the_buttons_cost_no_queries(settings, client, provider_count, django_assert_num_queries):
    """The sign-in page reads the providers from the settings: as many queries with two buttons as with none."""
    configure(
        settings,
        [
            {
                "id": f"p{n}",
                "name": f"Provider {n}",
                "server_url": "http://127.0.0.1:9/o",
                "client_id": "c",
                "secret": "s",
            }
            for n in range(provider_count)
        ],
    )
    client.get("/accounts/login/")  # the site and home page into the cache
    with django_assert_num_queries(0):
        page = client.get("/accounts/login/")
    assertContains(page, "Sign in with Provider", count=provider_count)


def test_an_unverified_address_does_not_take_over_an_existing_account(company):
    """The provider says it has not checked the address: the Huddle account with it is not handed over."""
    existing = make_rep("mquint")
    User.objects.filter(pk=existing.pk).update(email="mara@example.com")
    client = browser()
    with company.serving("unverified-email"):
        answer = sign_in(client, "mara")
    assertContains(answer, "the provider has not verified the address mara@example.com", status_code=403)
    assert "_auth_user_id" not in client.session
    assert not existing.socialaccount_set.exists()


def test_a_provider_that_does_not_answer_gets_a_clear_page(settings, client):
    configure(settings, [entry("company", "Example Sales", "http://127.0.0.1:9/o", "huddle", "huddle-secret")])
    page = client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    answer = client.post("/accounts/oidc/company/login/", {"csrfmiddlewaretoken": token})
    assertContains(answer, "Example Sales is not answering", status_code=502)
    assertContains(answer, "try again in a few minutes", status_code=502)


def test_the_groups_claim_name_is_a_setting(company, settings):
    """Read from another claim, which this provider does not send: the default role, not Managers."""
    settings.OIDC_GROUPS_CLAIM = "roles"
    sign_in(browser(), "mara")
    assert roles_of(User.objects.get(email="mara@example.com")) == {roles.REPS}
