"""Slack and Teams channels that follow a tag, an account or a collection, delivered to a real HTTP server."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from taggit.models import Tag
from wagtail.models import Site

from chat.delivery import MAX_ATTEMPTS, backoff, deliver_due
from chat.models import ChatChannel, ChatMessage, Service, Status
from knowledge.microposts import post_micropost
from knowledge.models import FeaturedCollection, FeaturedCollectionItem
from knowledge.sharing import share_tip

from .factories import make_account, make_tip
from .webhook_server import Answer, webhook_server_fixture  # noqa: F401 (the webhook_server fixture)

pytestmark = pytest.mark.django_db


def make_channel(url: str, *, service=Service.SLACK, **follows) -> ChatChannel:
    return ChatChannel.objects.create(name="#sales", service=service, webhook_url=url, **follows)


@pytest.fixture
def pricing():
    return Tag.objects.create(name="pricing", slug="pricing")


def test_a_tip_shared_with_a_followed_tag_is_posted_to_slack(
    webhook_server, rep, pricing, django_capture_on_commit_callbacks
):
    make_channel(webhook_server.url(), tag=pricing)
    data = {"title": "Anchor on the three-year cost", "body": "Show the cost of delay first.", "tags": ["pricing"]}
    with django_capture_on_commit_callbacks(execute=True):
        tip = share_tip(author=rep, data=data, site=Site.objects.get(is_default_site=True)).tip

    [request] = webhook_server.posted()
    assert request.headers["Content-Type"] == "application/json"
    section = request.json()["blocks"][0]["text"]["text"]
    assert "Rep shared a tip: Anchor on the three-year cost" in section
    assert tip.url in section
    message = ChatMessage.objects.get()
    assert (message.status, message.attempts, message.response_code, message.last_error) == (Status.SENT, 1, 200, "")


def test_a_post_about_a_followed_account_reaches_teams_as_an_adaptive_card(
    webhook_server, rep, django_capture_on_commit_callbacks
):
    acme = make_account("Acme Health")
    make_channel(webhook_server.url(), service=Service.TEAMS, account=acme)
    with django_capture_on_commit_callbacks(execute=True):
        post = post_micropost(author=rep, text="Their CFO wants payback under a year", account=acme)

    [request] = webhook_server.posted()
    card = request.json()["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert "Their CFO wants payback under a year" in card["content"]["body"][0]["text"]
    assert card["content"]["actions"][0]["url"].endswith(post.get_absolute_url())


def test_a_tip_added_to_a_followed_collection_is_posted_once(webhook_server, rep, django_capture_on_commit_callbacks):
    collection = FeaturedCollection.objects.create(title="Onboarding essentials")
    make_channel(webhook_server.url(), collection=collection)
    tip = make_tip("First call checklist", author=rep)
    with django_capture_on_commit_callbacks(execute=True):
        item = FeaturedCollectionItem.objects.create(collection=collection, tip=tip)
        item.save()  # saved again (an admin edit): not a new event

    [request] = webhook_server.posted()
    assert "Added to “Onboarding essentials”: First call checklist" in request.json()["text"]


def test_what_a_channel_does_not_follow_or_a_switched_off_channel_sends_nothing(
    webhook_server, rep, pricing, django_capture_on_commit_callbacks
):
    make_channel(webhook_server.url(), tag=Tag.objects.create(name="security", slug="security"))
    make_channel(webhook_server.url(), tag=pricing).__class__.objects.update(active=False)
    with django_capture_on_commit_callbacks(execute=True):
        post_micropost(author=rep, text="Discount only for a signed order #pricing")

    assert webhook_server.requests == []
    assert not ChatMessage.objects.exists()


def test_a_500_and_a_timeout_are_retried_with_growing_waits_until_sent(
    webhook_server, rep, pricing, settings, django_capture_on_commit_callbacks
):
    settings.CHAT_WEBHOOK_TIMEOUT = 0.5
    webhook_server.script = [Answer(status=500, body="boom"), Answer(delay=1.5)]
    make_channel(webhook_server.url(), tag=pricing)
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        post_micropost(author=rep, text="Never discount in the first call #pricing")

    message = ChatMessage.objects.get()
    assert (message.status, message.attempts, message.response_code) == (Status.PENDING, 1, 500)
    assert message.last_error == "HTTP 500 Internal Server Error: boom"
    assert message.next_attempt_at >= start + backoff(1)

    assert deliver_due(now=start + datetime.timedelta(seconds=5)) == 0  # not yet due: nothing sent
    assert len(webhook_server.posted()) == 1

    later = message.next_attempt_at
    assert deliver_due(now=later) == 0
    message.refresh_from_db()
    assert (message.status, message.attempts, message.response_code) == (Status.PENDING, 2, None)
    assert "timed out" in message.last_error
    assert message.next_attempt_at - later == backoff(2) == 2 * backoff(1)

    assert deliver_due(now=message.next_attempt_at) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.response_code, message.last_error) == (Status.SENT, 3, 200, "")
    assert len(webhook_server.posted()) == 3


def test_a_receiver_that_keeps_failing_is_given_up_after_the_last_attempt(webhook_server, pricing):
    webhook_server.script = [Answer(status=503)] * MAX_ATTEMPTS
    channel = make_channel(webhook_server.url(), tag=pricing)
    message = ChatMessage.objects.create(channel=channel, event="e1", title="A tip", link="http://huddle/t/1/")
    now = timezone.now()
    for _ in range(MAX_ATTEMPTS):
        deliver_due(now=now)
        now += datetime.timedelta(hours=2)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.response_code) == (Status.FAILED, MAX_ATTEMPTS, 503)
    deliver_due(now=now)
    assert len(webhook_server.posted()) == MAX_ATTEMPTS


def test_a_removed_webhook_fails_at_once_and_a_rate_limit_waits_as_told(webhook_server, pricing):
    webhook_server.script = [Answer(status=404, body="no_service"), Answer(status=429, headers={"Retry-After": "600"})]
    channel = make_channel(webhook_server.url(), tag=pricing)
    gone = ChatMessage.objects.create(channel=channel, event="e1", title="One", link="http://huddle/1/")
    limited = ChatMessage.objects.create(channel=channel, event="e2", title="Two", link="http://huddle/2/")
    now = timezone.now()
    deliver_due(now=now)
    gone.refresh_from_db()
    limited.refresh_from_db()
    assert (gone.status, gone.attempts, gone.last_error) == (Status.FAILED, 1, "HTTP 404 Not Found: no_service")
    assert (limited.status, limited.response_code) == (Status.PENDING, 429)
    assert limited.next_attempt_at == now + datetime.timedelta(seconds=600)


def test_after_a_worker_crash_nothing_sent_goes_again_and_nothing_pending_is_lost(webhook_server, pricing):
    channel = make_channel(webhook_server.url(), tag=pricing)
    now = timezone.now()

    def message(event, **state):
        return ChatMessage.objects.create(channel=channel, event=event, title=event, link=f"http://h/{event}", **state)

    message("sent", status=Status.SENT, attempts=1, sent_at=now)
    message("held-by-dead-worker", status=Status.SENDING, attempts=1, claimed_at=now - datetime.timedelta(hours=1))
    message("held-by-live-worker", status=Status.SENDING, attempts=1, claimed_at=now)
    message("pending")

    now = timezone.now()
    assert deliver_due(now=now) == 2
    assert sorted(request.json()["text"].split()[0] for request in webhook_server.posted()) == [
        "held-by-dead-worker",
        "pending",
    ]
    assert deliver_due(now=now + datetime.timedelta(minutes=1)) == 0
    assert len(webhook_server.posted()) == 2


def test_a_worker_killed_mid_run_resends_nothing_it_had_sent(webhook_server, pricing, monkeypatch):
    from chat import delivery

    real_post = delivery.post_json
    posts = []

    def dies_after_the_second_post(url, payload):
        outcome = real_post(url, payload)  # the receiver has the message...
        posts.append(outcome)
        if len(posts) == 2:
            raise KeyboardInterrupt  # ...and the worker is killed before it records that
        return outcome

    monkeypatch.setattr(delivery, "post_json", dies_after_the_second_post)
    channel = make_channel(webhook_server.url(), tag=pricing)
    for n in range(1, 4):
        ChatMessage.objects.create(channel=channel, event=f"e{n}", title=f"Tip{n}", link=f"http://h/{n}/")

    with pytest.raises(KeyboardInterrupt):
        deliver_due()
    statuses = list(ChatMessage.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == [Status.SENT, Status.SENDING, Status.PENDING]

    monkeypatch.setattr(delivery, "post_json", real_post)
    deliver_due()  # the restarted worker: the one it held waits until it counts as abandoned
    deliver_due(now=timezone.now() + datetime.timedelta(minutes=11))
    titles = [request.json()["text"].split()[0] for request in webhook_server.posted()]
    assert titles == ["Tip1", "Tip2", "Tip3", "Tip2"]  # only the message in flight at the kill went twice
    assert set(ChatMessage.objects.values_list("status", flat=True)) == {Status.SENT}


def test_the_same_event_twice_is_one_message(webhook_server, rep, pricing, django_capture_on_commit_callbacks):
    from knowledge import signals

    make_channel(webhook_server.url(), tag=pricing)
    with django_capture_on_commit_callbacks(execute=True):
        post = post_micropost(author=rep, text="Price per seat, not per site #pricing")
        signals.shared.send(sender=type(post), instance=post, user=rep)
    assert ChatMessage.objects.count() == 1
    assert len(webhook_server.posted()) == 1


def test_the_command_sends_what_a_lost_job_left_behind(webhook_server, pricing):
    channel = make_channel(webhook_server.url(), tag=pricing)
    ChatMessage.objects.create(channel=channel, event="lost", title="Left behind", link="http://huddle/1/")
    call_command("send_chat_messages", stdout=(out := __import__("io").StringIO()))
    assert "Chat messages due: 1; sent: 1" in out.getvalue()
    assert ChatMessage.objects.get().status == Status.SENT
