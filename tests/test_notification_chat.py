"""A person's own chat: notifications they tick under "Chat" reach their webhook, delivered by the worker."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from pytest_django.asserts import assertContains

from notifications.models import Delivery, Kind, Notification, NotificationSettings

from .factories import make_micropost
from .webhook_server import Answer, webhook_server_fixture  # noqa: F401 (the webhook_server fixture)

pytestmark = pytest.mark.django_db

SLACK_HOOK = "https://hooks.slack.com/services/T000/B000/XXXX"
PREFERENCES = "notification_preferences"


def choose_chat(client, **fields):
    data = {"digest": "weekly", "on": ["mention:app", "mention:chat", "helpful:app"], "chat_service": "slack", **fields}
    return client.post(reverse(PREFERENCES), data)


def test_mentions_ticked_for_chat_reach_the_persons_own_webhook(rep, rep_client, other_rep, webhook_server):
    response = choose_chat(rep_client, chat_webhook_url=SLACK_HOOK)
    assert response.status_code == 302
    # The receiver here is the test's loopback server, set past the page's https check.
    NotificationSettings.objects.filter(user=rep).update(chat_webhook_url=webhook_server.url())
    post = make_micropost(f"Ask @{rep.username} about the Acme rollout", author=other_rep)
    [request] = webhook_server.posted()
    body = request.json()
    assert body["text"].startswith("Peer mentioned you on Huddle http")
    assert post.get_absolute_url() in body["text"]
    assert "Ask @rep about the Acme rollout" in body["blocks"][0]["text"]["text"]
    row = Notification.objects.get(recipient=rep)
    assert (row.chat, row.chat_attempts, row.email) == (Delivery.SENT, 1, Delivery.NONE)  # e-mail switched off
    # A kind not ticked for chat does not go there.
    make_micropost("Price per seat #pricing", author=other_rep)
    from knowledge.reactions import mark_helpful

    from .factories import make_tip

    mark_helpful(other_rep, make_tip("Mine", author=rep))
    assert len(webhook_server.posted()) == 1
    assert Notification.objects.filter(recipient=rep, kind=Kind.HELPFUL).get().chat == Delivery.NONE


def test_teams_gets_an_adaptive_card(rep, other_rep, webhook_server):
    NotificationSettings.objects.create(user=rep, chat_service="teams", chat_webhook_url=webhook_server.url())
    from notifications.models import Preference

    Preference.objects.create(user=rep, kind=Kind.MENTION, channel="chat", enabled=True)
    make_micropost(f"Thanks @{rep.username}", author=other_rep)
    card = webhook_server.posted()[0].json()["attachments"][0]["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["body"][0]["text"].startswith("[Peer mentioned you on Huddle](http")


def test_a_failing_webhook_keeps_the_row_and_send_notifications_delivers_it_once(rep, other_rep, webhook_server):
    NotificationSettings.objects.create(user=rep, chat_webhook_url=webhook_server.url())
    from notifications.models import Preference

    Preference.objects.create(user=rep, kind=Kind.MENTION, channel="chat", enabled=True)
    webhook_server.script = [Answer(status=500, body="down")]
    make_micropost(f"Thanks @{rep.username}", author=other_rep)
    row = Notification.objects.get(recipient=rep)
    assert (row.chat, row.chat_attempts, row.chat_error) == (
        Delivery.PENDING,
        1,
        "HTTP 500 Internal Server Error: down",
    )
    out = __import__("io").StringIO()
    call_command("send_notifications", "--no-digests", stdout=out)
    assert "chat messages due: 1" in out.getvalue()
    call_command("send_notifications", "--no-digests", stdout=out)
    assert len(webhook_server.posted()) == 2  # the failed try and the one that went through
    row.refresh_from_db()
    assert (row.chat, row.chat_attempts, row.chat_error) == (Delivery.SENT, 2, "")


def test_chat_without_an_address_or_with_a_wrong_one_is_refused_and_nothing_is_lost(rep, rep_client):
    response = choose_chat(rep_client, chat_webhook_url="")
    assertContains(response, "paste your incoming-webhook address first", status_code=400)
    assertContains(response, 'value="mention:chat" id="pref-mention:chat" checked', status_code=400)
    response = choose_chat(rep_client, chat_webhook_url="http://example.com/hook")
    assertContains(response, "Chat services give https:// webhook addresses", status_code=400)
    assertContains(response, 'value="http://example.com/hook"', status_code=400)
    response = choose_chat(rep_client, chat_webhook_url="https://example.com/hook")
    assertContains(response, "A Slack incoming webhook starts with https://hooks.slack.com/services/.", status_code=400)
    assert not NotificationSettings.objects.filter(user=rep).exclude(chat_webhook_url="").exists()
    # Any rep sets this address: Teams' must be Microsoft's, not a server inside the network.
    response = choose_chat(rep_client, chat_webhook_url="https://intranet.example.com/hook", chat_service="teams")
    assertContains(response, "A Teams webhook address is on webhook.office.com", status_code=400)
    workflow = "https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=x"
    response = choose_chat(rep_client, chat_webhook_url=workflow, chat_service="teams")
    assert response.status_code == 302
    assert NotificationSettings.objects.get(user=rep).chat_webhook_url == workflow
