"""The JSON API: token auth, pushing deals through the import's validation, reading the board."""

import re

import pytest
from django.contrib.admin.sites import site as admin_site
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from leaderboard.admin import ApiTokenAdmin
from leaderboard.models import ApiToken, Deal

from .factories import make_manager, make_rep, make_rep_profile

pytestmark = pytest.mark.django_db


def _token(user, name="CRM webhook"):
    token = ApiToken(user=user, name=name)
    key = token.issue_key()
    token.save()
    return token, key


def _auth(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


DEAL = {
    "crm_id": "SF-1",
    "name": "Acme renewal",
    "owner": "Riley Rep",
    "amount": "$12,500.00",
    "stage": "Closed Won",
    "close_date": "11/3/2026",
}


def test_docs_are_served_without_a_cdn(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert b"cdn." not in response.content and b"/static/ninja/" in response.content
    schema = client.get("/api/openapi.json").json()
    assert "/api/deals" in schema["paths"] and "/api/leaderboard" in schema["paths"]


def test_requests_without_a_valid_token_are_refused(client, manager):
    token, key = _token(manager)
    assert client.get("/api/leaderboard").status_code == 401
    assert client.get("/api/leaderboard", **_auth("wrong")).status_code == 401
    assert client.get("/api/leaderboard", **_auth(key)).status_code == 200
    token.revoked_at = timezone.now()
    token.save()
    assert client.get("/api/leaderboard", **_auth(key)).status_code == 401


def test_only_the_hash_is_stored_and_last_use_is_recorded(client, manager):
    token, key = _token(manager)
    assert key not in token.key_hash and token.prefix == key[:8]
    client.get("/api/leaderboard", **_auth(key))
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_push_deal_upserts_by_crm_id(client, manager):
    make_rep("rep", first_name="Riley", last_name="Rep")
    _token_obj, key = _token(manager)
    response = client.post("/api/deals", DEAL, content_type="application/json", **_auth(key))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["result"] == "created"
    assert body["deal"]["owner"] == "rep" and body["deal"]["status"] == "won" and body["deal"]["amount"] == "12500.00"
    again = client.post("/api/deals", DEAL, content_type="application/json", **_auth(key)).json()
    assert again["result"] == "unchanged"
    changed = client.post("/api/deals", {**DEAL, "amount": 13000}, content_type="application/json", **_auth(key))
    assert changed.json()["result"] == "updated"
    assert Deal.objects.get().amount == 13000


def test_push_deal_rejects_bad_rows_with_the_imports_message(client, manager):
    _token_obj, key = _token(manager)
    response = client.post("/api/deals", {**DEAL, "amount": "lots"}, content_type="application/json", **_auth(key))
    assert response.status_code == 400
    assert "“lots” is not an amount" in response.json()["detail"]
    assert not Deal.objects.exists()


def test_reps_tokens_cannot_push_deals_and_see_no_revenue(client, rep):
    _token_obj, key = _token(rep)
    assert client.post("/api/deals", DEAL, content_type="application/json", **_auth(key)).status_code == 403
    rows = client.get("/api/leaderboard", **_auth(key)).json()["rows"]
    assert rows[0]["username"] == "rep" and rows[0]["closed_won_revenue"] is None


def test_a_pushed_deal_shows_on_the_leaderboard(client, manager):
    rep = make_rep("rep", first_name="Riley", last_name="Rep")
    make_rep_profile(rep, team="East")
    _token_obj, key = _token(manager)
    today = timezone.localdate().isoformat()
    client.post("/api/deals", {**DEAL, "close_date": today}, content_type="application/json", **_auth(key))
    board = client.get("/api/leaderboard", {"period": "last_30"}, **_auth(key)).json()
    row = next(row for row in board["rows"] if row["username"] == "rep")
    assert (row["closed_won_revenue"], row["deals_won"], row["team"]) == ("12500.00", 1, "East")
    assert client.get("/api/leaderboard", {"period": "custom"}, **_auth(key)).status_code == 400


def test_admin_shows_a_new_key_once(admin_client, rep):
    response = admin_client.post(
        reverse("admin:leaderboard_apitoken_add"), {"user": rep.pk, "name": "Script"}, follow=True
    )
    token = ApiToken.objects.get()
    messages = [str(message) for message in response.context["messages"]]
    assert any(token.prefix in message and "will not be shown again" in message for message in messages)
    assert isinstance(admin_site._registry[ApiToken], ApiTokenAdmin)
    RequestFactory()  # the admin's revoke action:
    admin_client.post(
        reverse("admin:leaderboard_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_batch_of_deals_gets_one_result_per_deal(client, manager):
    make_rep("rep", first_name="Riley", last_name="Rep")
    _token_obj, key = _token(manager)
    client.post("/api/deals", DEAL, content_type="application/json", **_auth(key))
    client.post("/api/deals", {**DEAL, "crm_id": "SF-2"}, content_type="application/json", **_auth(key))
    batch = {
        "deals": [
            {**DEAL, "crm_id": "SF-1", "amount": 20000},  # changed
            {**DEAL, "crm_id": "SF-2"},  # as it was
            {**DEAL, "crm_id": "SF-3", "name": "New logo"},
            {**DEAL, "crm_id": "SF-4", "amount": "lots"},
            {"name": "No id at all"},
            {**DEAL, "crm_id": "SF-3", "name": "Twice"},
        ]
    }
    response = client.post("/api/deals/batch", batch, content_type="application/json", **_auth(key))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"], body["failed"]) == (1, 1, 1, 3)
    results = [(item["position"], item["crm_id"], item["result"]) for item in body["results"]]
    assert results == [
        (1, "SF-1", "updated"),
        (2, "SF-2", "unchanged"),
        (3, "SF-3", "created"),
        (4, "SF-4", "error"),
        (5, "", "error"),
        (6, "SF-3", "error"),
    ]
    messages = {item["position"]: item["message"] for item in body["results"]}
    assert "amount" in messages[4].lower()
    assert "crm id" in messages[5].lower()
    assert "already appeared" in messages[6]
    assert Deal.objects.get(crm_id="SF-1").amount == 20000
    assert Deal.objects.get(crm_id="SF-3").name == "New logo"
    assert not Deal.objects.filter(crm_id="SF-4").exists()


def test_a_batch_needs_the_import_permission_and_a_sensible_size(client, manager, rep):
    _token_obj, rep_key = _token(rep)
    refused = client.post("/api/deals/batch", {"deals": [DEAL]}, content_type="application/json", **_auth(rep_key))
    assert refused.status_code == 403
    _token_obj, key = _token(manager)
    empty = client.post("/api/deals/batch", {"deals": []}, content_type="application/json", **_auth(key))
    assert empty.status_code == 400 and "at least one deal" in empty.json()["detail"]
    too_many = {"deals": [{**DEAL, "crm_id": f"SF-{n}"} for n in range(1001)]}
    response = client.post("/api/deals/batch", too_many, content_type="application/json", **_auth(key))
    assert response.status_code == 400
    assert response.json()["detail"] == "Send at most 1,000 deals per call; this one had 1,001."


def test_a_manager_creates_sees_and_revokes_their_own_tokens_on_the_site(client, manager_client, manager):
    assertContains(manager_client.get("/"), 'href="/account/api-tokens/">API tokens</a>')
    response = manager_client.post("/account/api-tokens/", {"name": "Salesforce webhook"})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")  # never_cache: the key is not kept anywhere
    key = re.search(r'id="new-token-key" value="([^"]+)"', response.content.decode()).group(1)
    assertContains(response, "shown this once")
    token = ApiToken.objects.get(user=manager)
    assert token.name == "Salesforce webhook" and key not in token.key_hash
    page = manager_client.get("/account/api-tokens/")
    assertNotContains(page, key)  # shown once
    assertContains(page, f"<code>{key[:8]}…</code>", html=True)
    assertContains(page, "Never")

    assert client.get("/api/leaderboard", **_auth(key)).status_code == 200
    token.refresh_from_db()
    assertContains(manager_client.get("/account/api-tokens/"), timezone.localtime(token.last_used_at).strftime("%H:%M"))

    revoked = manager_client.post(f"/account/api-tokens/{token.pk}/revoke/", follow=True)
    assertContains(revoked, "Revoked “Salesforce webhook”: calls with it are refused from now on.")
    assertContains(revoked, "Revoked ")
    assert client.get("/api/leaderboard", **_auth(key)).status_code == 401


def test_reps_have_no_token_page_and_nobody_revokes_another_persons_token(rep_client, manager_client, manager):
    assertNotContains(rep_client.get("/"), "API tokens")
    assert rep_client.get("/account/api-tokens/").status_code == 403
    assert rep_client.post("/account/api-tokens/", {"name": "sneaky"}).status_code == 403
    other = make_manager("other-manager")
    token, key = _token(other)
    assert manager_client.post(f"/account/api-tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assertNotContains(manager_client.get("/account/api-tokens/"), token.name)


def test_a_token_needs_a_name(manager_client):
    response = manager_client.post("/account/api-tokens/", {"name": "  "})
    assertContains(response, "This field is required.")
    assert not ApiToken.objects.exists()


# The session, the user, the tokens (permissions and the site come from the cache).
TOKEN_PAGE_QUERIES = 3


@pytest.mark.parametrize("count", [1, 20])
def test_the_token_page_costs_the_same_queries_for_1_or_20_tokens(
    manager_client, manager, count, django_assert_num_queries
):
    for number in range(count):
        _token(manager, name=f"Script {number}")
    manager_client.get("/account/api-tokens/")  # warm the permission and site caches
    with django_assert_num_queries(TOKEN_PAGE_QUERIES):
        response = manager_client.get("/account/api-tokens/")
    assertContains(response, "Revoke Script", count=count)
