"""Marketing and managers set up chat channels in the admin and read the delivery log there."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains
from taggit.models import Tag

from chat.delivery import deliver_due
from chat.models import ChatChannel, ChatMessage, Status

from .factories import make_account
from .webhook_server import Answer, webhook_server_fixture  # noqa: F401 (the webhook_server fixture)

pytestmark = pytest.mark.django_db

ADD = "wagtailsnippets_chat_chatchannel:add"
LOG = "wagtailsnippets_chat_chatmessage:list"
SLACK_HOOK = "https://hooks.slack.com/services/T000/B000/XXXX"


def channel_form(**fields) -> dict:
    return {"name": "#emea-sales", "service": "slack", "webhook_url": SLACK_HOOK, "active": "on", **fields}


def test_marketing_adds_a_channel_that_follows_a_tag(marketer_client):
    pricing = Tag.objects.create(name="pricing", slug="pricing")
    response = marketer_client.post(reverse(ADD), channel_form(tag=pricing.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    channel = ChatChannel.objects.get()
    assert (channel.name, channel.tag, channel.webhook_url, channel.active) == (
        "#emea-sales",
        pricing,
        SLACK_HOOK,
        True,
    )


def test_a_channel_must_follow_exactly_one_thing_and_slack_needs_a_slack_address(manager_client):
    pricing = Tag.objects.create(name="pricing", slug="pricing")
    acme = make_account("Acme Health")
    both = manager_client.post(reverse(ADD), channel_form(tag=pricing.pk, account=acme.pk))
    assertContains(both, "Choose exactly one thing to follow: a tag, an account or a collection.")
    elsewhere = manager_client.post(reverse(ADD), channel_form(tag=pricing.pk, webhook_url="https://example.com/x"))
    assertContains(elsewhere, "A Slack incoming webhook starts with https://hooks.slack.com/services/.")
    assert not ChatChannel.objects.exists()


def test_reps_cannot_open_the_channels_or_the_log(rep_client):
    for name in (ADD, LOG, "wagtailsnippets_chat_chatchannel:list"):
        response = rep_client.get(reverse(name))
        assert response.status_code in (302, 403), name
        assert "Delivery log" not in response.content.decode()


def _messages(count: int, channel: ChatChannel) -> None:
    ChatMessage.objects.bulk_create(
        ChatMessage(
            channel=channel,
            event=f"e{n}",
            title=f"Tip number {n}",
            link=f"https://huddle.example/tips/{n}/",
            status=Status.FAILED,
            attempts=6,
            response_code=500,
            last_error="HTTP 500 Internal Server Error: boom",
        )
        for n in range(count)
    )


def test_the_delivery_log_shows_status_attempts_response_and_error(manager_client):
    channel = ChatChannel.objects.create(
        name="#emea-sales", webhook_url=SLACK_HOOK, tag=Tag.objects.create(name="pricing", slug="pricing")
    )
    _messages(1, channel)
    ChatMessage.objects.create(channel=channel, event="ok", title="Sent fine", link="https://h/", status=Status.SENT)
    response = manager_client.get(reverse(LOG))
    for text in ("Tip number 0", "#emea-sales", "Failed", "HTTP 500 Internal Server Error: boom", "Sent fine"):
        assertContains(response, text)
    failed_only = manager_client.get(reverse(LOG), {"status": "failed"})
    assertNotContains(failed_only, "Sent fine")


@pytest.mark.parametrize("count", [2, 20])
def test_the_log_costs_the_same_queries_for_2_or_20_messages(manager_client, count, django_assert_max_num_queries):
    """The channel of each row is loaded with the rows, not one query per row."""
    channel = ChatChannel.objects.create(
        name="#emea-sales", webhook_url=SLACK_HOOK, tag=Tag.objects.create(name="pricing", slug="pricing")
    )
    _messages(count, channel)
    manager_client.get(reverse(LOG))  # warms the permission cache
    with django_assert_max_num_queries(20):
        response = manager_client.get(reverse(LOG))
    assertContains(response, '_title">Tip number', count=count)


def _receiver_channel(webhook_server, **fields) -> ChatChannel:
    """A channel whose webhook is the test's own HTTP receiver on the loopback (set past the form's
    https check, as only a test can)."""
    return ChatChannel.objects.create(
        name="#emea-sales",
        webhook_url=webhook_server.url(),
        tag=Tag.objects.create(name="pricing", slug="pricing"),
        **fields,
    )


def test_a_test_message_shows_the_receivers_failure_in_the_log_and_then_its_success(marketer_client, webhook_server):
    channel = _receiver_channel(webhook_server)
    listing = marketer_client.get(reverse("wagtailsnippets_chat_chatchannel:list"))
    test_url = reverse("chat_channel_send_test", args=[channel.pk])
    assertContains(listing, test_url)
    assertContains(marketer_client.get(reverse("wagtailsnippets_chat_chatchannel:edit", args=[channel.pk])), test_url)
    assertContains(marketer_client.get(test_url), "Send a test message?")
    assert not webhook_server.requests  # asking first sends nothing

    webhook_server.script = [Answer(status=500, body="receiver down")]
    response = marketer_client.post(test_url, follow=True)
    assertContains(response, "The test message to #emea-sales failed: HTTP 500 Internal Server Error: receiver down.")
    for text in ("Test message from Huddle", "Failed", "500"):
        assertContains(response, text)
    failed = ChatMessage.objects.get()
    assert (failed.status, failed.response_code, failed.attempts) == (Status.FAILED, 500, 1)

    response = marketer_client.post(test_url, follow=True)
    assertContains(response, "The test message reached #emea-sales (HTTP 200).")
    assert len(webhook_server.posted()) == 2
    assert "Marketing checked that Huddle can post to #emea-sales." in webhook_server.posted()[-1].json()["text"] or (
        "Test message from Huddle" in webhook_server.posted()[-1].json()["text"]
    )
    # Tests are not retried by the worker nor offered for resending.
    assert deliver_due(now=timezone.now() + datetime.timedelta(hours=2)) == 0
    assertNotContains(marketer_client.get(reverse("wagtailsnippets_chat_chatchannel:list")), "failed deliver")


def test_resending_failed_deliveries_after_the_receiver_recovers_delivers_each_once(
    manager_client, webhook_server, django_capture_on_commit_callbacks
):
    channel = _receiver_channel(webhook_server)
    for number in (1, 2):
        ChatMessage.objects.create(channel=channel, event=f"e{number}", title=f"Tip {number}", link="http://h/")
    webhook_server.script = [Answer(status=404, body="no_service"), Answer(status=404, body="no_service")]
    deliver_due()  # the receiver refuses both: failed at once, shown with their code
    log = manager_client.get(reverse(LOG), {"status": "failed"})
    assertContains(log, "HTTP 404 Not Found: no_service", count=2)

    resend_url = reverse("chat_channel_resend", args=[channel.pk])
    listing = manager_client.get(reverse("wagtailsnippets_chat_chatchannel:list"))
    assertContains(listing, "Resend 2 failed deliveries")
    assertContains(manager_client.get(resend_url), "2 messages to #emea-sales failed.")
    assert len(webhook_server.posted()) == 2

    # The receiver is back (it answers 200 from now on); the queued job runs when the request commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(resend_url, follow=True)
    assertContains(response, "2 failed deliveries to #emea-sales queued again")
    assert sorted(request.json()["text"].split(" http")[0] for request in webhook_server.posted()[2:]) == [
        "Tip 1",
        "Tip 2",
    ]
    assert set(ChatMessage.objects.values_list("status", "response_code")) == {(Status.SENT, 200)}

    # Pressed again (or a second tab): nothing is sent twice.
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(resend_url, follow=True)
    assertContains(response, "No failed deliveries to #emea-sales to resend.")
    deliver_due(now=timezone.now() + datetime.timedelta(hours=2))
    assert len(webhook_server.posted()) == 4
    assertNotContains(manager_client.get(reverse("wagtailsnippets_chat_chatchannel:list")), "failed deliver")


def test_a_switched_off_channel_is_not_resent_and_reps_cannot_send_or_resend(
    manager_client, rep_client, webhook_server
):
    channel = _receiver_channel(webhook_server, active=False)
    ChatMessage.objects.create(channel=channel, event="e1", title="Tip", link="http://h/", status=Status.FAILED)
    response = manager_client.post(reverse("chat_channel_resend", args=[channel.pk]), follow=True)
    assertContains(response, "#emea-sales is switched off: switch it on first, then resend.")
    for name in ("chat_channel_send_test", "chat_channel_resend"):
        response = rep_client.post(reverse(name, args=[channel.pk]))
        assert response.status_code in (302, 403), name
    assert not webhook_server.requests
    assert ChatMessage.objects.get().status == Status.FAILED


@pytest.mark.parametrize("count", [2, 20])
def test_the_channel_list_with_its_resend_buttons_costs_the_same_for_2_or_20_channels(
    manager_client, count, django_assert_max_num_queries
):
    """Each row's failed count comes with the rows, not one query per channel."""
    for number in range(count):
        channel = ChatChannel.objects.create(
            name=f"#team-{number}", webhook_url=SLACK_HOOK, tag=Tag.objects.create(name=f"t{number}", slug=f"t{number}")
        )
        _messages(1, channel)
    url = reverse("wagtailsnippets_chat_chatchannel:list")
    manager_client.get(url)  # warms the permission cache
    with django_assert_max_num_queries(20):
        response = manager_client.get(url)
    assertContains(response, "Resend 1 failed delivery", count=count)
