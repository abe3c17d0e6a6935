"""Slack's /huddle command and "Save as Huddle tip" shortcut, signed as Slack signs them."""

import hashlib
import hmac
import json
import time
from urllib.parse import urlencode

import pytest
from django.test import Client

from knowledge.models import TipPage

from .factories import make_tip
from .webhook_server import Answer, webhook_server_fixture  # noqa: F401 (the webhook_server fixture)

pytestmark = pytest.mark.django_db

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def signed_headers(body: bytes, *, secret: str = SECRET, age: int = 0) -> dict:
    """Slack's scheme: v0= HMAC-SHA256 of "v0:{timestamp}:{body}" with the app's signing secret."""
    timestamp = int(time.time()) - age
    base = b"v0:" + str(timestamp).encode() + b":" + body
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"HTTP_X_SLACK_REQUEST_TIMESTAMP": str(timestamp), "HTTP_X_SLACK_SIGNATURE": signature}


def post_signed(path: str, fields: dict, **signing) -> object:
    body = urlencode(fields).encode()
    headers = signed_headers(body, **signing)
    return Client().post(path, body, content_type="application/x-www-form-urlencoded", **headers)


@pytest.fixture
def slack(settings, rep):
    settings.SLACK_SIGNING_SECRET = SECRET
    settings.SLACK_USER_EMAILS = {"U0REP": rep.email}
    settings.SLACK_BOT_TOKEN = ""
    return settings


def command(text: str, user_id: str = "U0REP") -> dict:
    return {"command": "/huddle", "text": text, "user_id": user_id, "team_id": "T0", "channel_name": "sales"}


def shortcut(text: str, response_url: str, user_id: str = "U0REP") -> dict:
    payload = {
        "type": "message_action",
        "callback_id": "save_as_huddle_tip",
        "user": {"id": user_id},
        "channel": {"id": "C0", "name": "emea-sales"},
        "message": {"type": "message", "text": text, "ts": "1765000000.000100"},
        "response_url": response_url,
    }
    return {"payload": json.dumps(payload)}


def test_the_command_posts_the_top_results_to_the_channel(slack, rep):
    tip = make_tip("Getting past procurement", author=rep, summary="Send the security questionnaire first.")
    make_tip("Discovery questions", author=rep)

    response = post_signed("/slack/commands/", command("procurement"))

    assert response.status_code == 200
    answer = response.json()
    assert answer["response_type"] == "in_channel"
    text = answer["blocks"][0]["text"]["text"]
    assert "Getting past procurement" in text and tip.url in text
    assert "Discovery questions" not in text


def test_the_command_says_so_when_nothing_matches_or_nothing_was_asked(slack):
    nothing = post_signed("/slack/commands/", command("zebra")).json()
    assert nothing == {"response_type": "ephemeral", "text": "Nothing in Huddle matches “zebra”."}
    empty = post_signed("/slack/commands/", command("  ")).json()
    assert empty["response_type"] == "ephemeral" and "/huddle pricing objection" in empty["text"]


@pytest.mark.parametrize(
    "signing",
    [
        {"secret": "not-the-secret"},
        {"age": 6 * 60},  # older than Slack's five minutes
        {"age": -6 * 60},
    ],
    ids=["wrong-signature", "old-timestamp", "future-timestamp"],
)
def test_wrongly_signed_or_stale_requests_are_refused(slack, rep, signing):
    make_tip("Getting past procurement", author=rep)
    response = post_signed("/slack/commands/", command("procurement"), **signing)
    assert response.status_code == 401
    assert b"procurement" not in response.content


def test_an_unsigned_request_is_refused(slack):
    response = Client().post("/slack/commands/", command("procurement"))
    assert response.status_code == 401
    assert response.content == b"The request is not signed by Slack."


def test_a_replayed_request_is_refused(slack):
    body = urlencode(command("procurement")).encode()
    headers = signed_headers(body)
    first = Client().post("/slack/commands/", body, content_type="application/x-www-form-urlencoded", **headers)
    again = Client().post("/slack/commands/", body, content_type="application/x-www-form-urlencoded", **headers)
    assert first.status_code == 200
    assert (again.status_code, again.content) == (401, b"This request was already received.")


def test_the_endpoints_are_off_until_a_signing_secret_is_set(settings):
    settings.SLACK_SIGNING_SECRET = ""
    assert post_signed("/slack/commands/", command("procurement")).status_code == 404
    assert Client().get("/slack/commands/").status_code == 405


def test_a_slack_user_unknown_to_huddle_is_told_how_to_fix_it(slack):
    answer = post_signed("/slack/commands/", command("procurement", user_id="U0STRANGER")).json()
    assert answer["response_type"] == "ephemeral"
    assert "no account with your Slack e-mail address" in answer["text"]


def test_the_slack_user_is_found_by_users_info_on_the_configured_api(slack, rep, webhook_server):
    slack.SLACK_USER_EMAILS = {}
    slack.SLACK_BOT_TOKEN = "xoxb-test-token"
    slack.SLACK_API_URL = webhook_server.url("/api/")
    webhook_server.routes["/api/users.info"] = Answer(
        body=json.dumps({"ok": True, "user": {"id": "U0REP", "profile": {"email": rep.email.upper()}}})
    )
    make_tip("Getting past procurement", author=rep)

    answer = post_signed("/slack/commands/", command("procurement")).json()

    assert answer["response_type"] == "in_channel"
    [asked] = webhook_server.posted("/api/users.info")
    assert "user=U0REP" in asked.path + asked.body.decode()
    assert asked.headers["Authorization"] == "Bearer xoxb-test-token"


def test_save_as_tip_makes_a_draft_for_the_person_and_tells_them(
    slack, rep, webhook_server, django_capture_on_commit_callbacks
):
    text = "Ask for the *security questionnaire* on the first call\nThen send <https://example.com/q|our answers>."
    with django_capture_on_commit_callbacks(execute=True):
        response = post_signed("/slack/interactivity/", shortcut(text, webhook_server.url("/respond")))

    assert response.status_code == 200
    tip = TipPage.objects.get(title="Ask for the security questionnaire on the first call")
    assert (tip.live, tip.owner, tip.author) == (False, rep, rep)
    assert tip.summary == "Saved from Slack #emea-sales"
    assert "our answers (https://example.com/q)" in tip.body[0].value.source
    [reply] = webhook_server.posted("/respond")
    assert reply.json()["response_type"] == "ephemeral"
    assert f"/tips/{tip.pk}/edit/" in reply.json()["text"]

    editor = Client()
    editor.force_login(rep)
    assert editor.get(f"/tips/{tip.pk}/edit/").status_code == 200


def test_a_wrongly_signed_shortcut_saves_nothing(slack, webhook_server):
    before = TipPage.objects.count()
    response = post_signed(
        "/slack/interactivity/", shortcut("A tip", webhook_server.url("/respond")), secret="not-the-secret"
    )
    assert response.status_code == 401
    assert TipPage.objects.count() == before
    assert webhook_server.requests == []


def test_the_slack_app_manifest_names_huddles_routes_and_shortcut():
    """deploy/slack/manifest.yml points Slack at the URLs and callback id this code answers."""
    from pathlib import Path

    from django.urls import reverse

    from chat.views import SAVE_AS_TIP

    manifest = (Path(__file__).resolve().parent.parent / "deploy" / "slack" / "manifest.yml").read_text()
    assert f"url: https://huddle.example.com{reverse('slack_command')}\n" in manifest
    assert f"request_url: https://huddle.example.com{reverse('slack_interactivity')}\n" in manifest
    assert f"callback_id: {SAVE_AS_TIP}\n" in manifest
    assert "- users:read.email\n" in manifest
