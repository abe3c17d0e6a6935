"""A manager gets an API token on the site, uses it from a script, and revokes it."""

import httpx
import pytest
from playwright.sync_api import expect

from ..factories import make_manager, make_rep
from .conftest import pause, screenshots, type_keys

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_manager_creates_copies_uses_and_revokes_a_token(page, live_server, sign_in):
    make_rep("riley", first_name="Riley", last_name="Rep")
    sign_in(make_manager("maya", first_name="Maya", last_name="Manager"))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto("/")
    page.locator(".user-menu summary").click()
    pause(page)
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    expect(page.get_by_text("You have no tokens yet.")).to_be_visible()

    type_keys(page.get_by_label("Token name"), "HubSpot nightly push")
    expect(page.get_by_label("Token name")).to_have_value("HubSpot nightly push")
    pause(page)
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("heading", name="Your new token “HubSpot nightly push”")).to_be_visible()
    expect(page.get_by_text("it is shown this once")).to_be_visible()
    pause(page)
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_text("Copied.")).to_be_visible()
    key = page.evaluate("navigator.clipboard.readText()")
    assert len(key) > 30 and key == page.get_by_label("Token", exact=True).input_value()
    row = page.get_by_role("row", name="HubSpot nightly push")
    expect(row).to_contain_text(key[:8] + "…")
    expect(row).to_contain_text("Never")
    screenshots(page, "api-token-created")

    with httpx.Client(base_url=live_server.url, headers={"Authorization": f"Bearer {key}"}, timeout=15) as api:
        pushed = api.post(
            "/api/deals/batch",
            json={
                "deals": [
                    {
                        "crm_id": "HS-1",
                        "name": "Acme renewal",
                        "owner": "Riley Rep",
                        "amount": "12500",
                        "stage": "Closed Won",
                        "close_date": "2026-11-03",
                    },
                    {"crm_id": "HS-2", "name": "No amount", "amount": "lots"},
                ]
            },
        )
        assert pushed.status_code == 200, pushed.text
        assert [item["result"] for item in pushed.json()["results"]] == ["created", "error"]

        page.goto("/account/api-tokens/")  # opened again: the key is gone from the page for good
        expect(page.get_by_label("Token", exact=True)).to_have_count(0)
        row = page.get_by_role("row", name="HubSpot nightly push")
        expect(row).not_to_contain_text("Never")  # the last use shows
        pause(page)
        row.get_by_role("button", name="Revoke HubSpot nightly push").click()
        expect(page.get_by_role("status")).to_contain_text(
            "Revoked “HubSpot nightly push”: calls with it are refused from now on."
        )
        expect(page.get_by_role("row", name="HubSpot nightly push")).to_contain_text("Revoked")
        screenshots(page, "api-token-revoked")

        refused = api.get("/api/leaderboard")
        assert refused.status_code == 401
