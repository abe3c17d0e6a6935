"""E-mail at once and the digest, through Django's SMTP backend to a real SMTP server on the loopback."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from knowledge.reactions import mark_helpful, record_view
from notifications import digests
from notifications.emails import deliver_due
from notifications.models import DigestRun, Kind, Notification, NotificationSettings, Preference
from notifications.recording import notify

from .factories import make_micropost, make_rep, make_tip
from .smtp_server import parts, smtp_server_fixture  # noqa: F401 (the smtp_server fixture)


def unsubscribe_link(text: str) -> str:
    return re.search(r"https?://[^\s\"<>]+/notifications/unsubscribe/[^\s\"<>/]+/", text).group(0)


@pytest.mark.django_db
def test_a_mention_e_mail_has_both_parts_and_one_click_unsubscribe(smtp_server, rep, other_rep):
    make_micropost(f"Ask @{other_rep.username} about Acme", author=rep)
    [message] = smtp_server.to(other_rep.email)
    assert message["Subject"] == "Rep mentioned you on Huddle"
    plain, html = parts(message)
    post_link = f"/microposts/{Notification.objects.get().object_id}/"
    assert "Ask @peer about Acme" in plain and post_link in plain
    assert "Ask @peer about Acme" in html and post_link in html and 'style="' in html
    link = unsubscribe_link(plain)
    assert message["List-Unsubscribe"].strip() == f"<{link}>"  # folded: the link is long
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in html.replace("&amp;", "&")
    # RFC 8058: the mail client POSTs this body, with no session and no CSRF token.
    path = link.split("testserver", 1)[-1] if "testserver" in link else "/" + link.split("/", 3)[3]
    response = Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert Preference.objects.get(user=other_rep, kind=Kind.MENTION, channel="email").enabled is False
    make_micropost(f"Again @{other_rep.username}", author=rep, account=None)
    assert len(smtp_server.to(other_rep.email)) == 1  # no more mention e-mails
    assert Notification.objects.filter(recipient=other_rep).count() == 2  # still in the app


@pytest.mark.django_db
def test_an_unsubscribe_link_opened_in_a_browser_asks_first_and_refuses_forgeries(rep, other_rep):
    from notifications.unsubscribe import token_for

    client = Client()
    url = reverse("notifications_unsubscribe", args=[token_for(other_rep)])
    page = client.get(url)
    assert b"Stop every e-mail from Huddle?" in page.content
    assert not NotificationSettings.objects.filter(user=other_rep, email_off=True).exists()
    forged = token_for(rep)[:-3] + "abc"
    assert client.post(reverse("notifications_unsubscribe", args=[forged])).status_code == 400
    assert client.post(url).status_code == 200
    assert NotificationSettings.objects.get(user=other_rep).email_off


@pytest.mark.django_db
def test_a_server_failure_keeps_the_row_and_the_next_run_sends_it_once(smtp_server, rep, other_rep):
    smtp_server.fail_next = 1
    make_micropost(f"Thanks @{other_rep.username}", author=rep)
    row = Notification.objects.get(recipient=other_rep)
    assert row.email == "pending" and row.email_attempts == 1 and "451" in row.email_error
    assert not smtp_server.messages
    assert deliver_due() == 1
    assert deliver_due() == 0  # sent rows are never sent again
    row.refresh_from_db()
    assert row.email == "sent" and row.email_attempts == 2
    assert len(smtp_server.to(other_rep.email)) == 1


@pytest.mark.django_db
def test_a_row_a_killed_worker_left_in_sending_goes_out_after_the_wait(smtp_server, rep, other_rep, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # no worker ran
    make_micropost(f"Thanks @{other_rep.username}", author=rep)
    row = Notification.objects.get(recipient=other_rep)
    claimed = timezone.now() - datetime.timedelta(minutes=5)
    Notification.objects.filter(pk=row.pk).update(email="sending", email_claimed_at=claimed)
    assert deliver_due() == 0  # maybe still being sent by a live worker
    Notification.objects.filter(pk=row.pk).update(email_claimed_at=claimed - datetime.timedelta(minutes=20))
    assert deliver_due() == 1
    assert len(smtp_server.to(other_rep.email)) == 1


def _followed_items(reader, author, count: int, *, title: str = "Tip number") -> list:
    """``count`` tips that ``reader`` is told about as new in what they follow (digest rows)."""
    tips = []
    for number in range(count):
        tip = make_tip(f"{title} {number}", author=author)
        notify([reader], Kind.FOLLOWED, actor=author, summary=f"shared a tip: “{tip.title}”", url=tip.url, target=tip)
        tips.append(tip)
    return tips


@pytest.mark.django_db
def test_the_digest_ranks_by_helpful_verified_and_fresh_and_never_repeats(smtp_server, rep, other_rep):
    plain_tip, helpful_tip, verified_tip, seen_tip = _followed_items(rep, other_rep, 4)
    for number in range(3):
        mark_helpful(make_rep(f"fan{number}"), helpful_tip)
    verified_tip.verify()
    record_view(rep, seen_tip)  # opened it already: not in the digest
    assert digests.send_digests("weekly") == 1
    [message] = smtp_server.to(rep.email)
    assert message["Subject"] == "Your Huddle weekly digest: 3 new items in what you follow"
    plain, html = parts(message)
    order = [plain.index(tip.title) for tip in (helpful_tip, verified_tip, plain_tip)]
    assert order == sorted(order), plain
    assert seen_tip.title not in plain and seen_tip.title not in html
    assert "3 found it helpful" in plain and "[verified]" in plain and ">Verified<" in html
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/notifications/unsubscribe/" in message["List-Unsubscribe"] and unsubscribe_link(plain) in html
    # Sent once per period, however often the worker runs; next week only what is new.
    assert digests.send_digests("weekly") == 0
    later = timezone.now() + datetime.timedelta(days=7)
    assert digests.send_digests("weekly", now=later) == 0  # nothing new since the last digest
    [new_tip] = _followed_items(rep, other_rep, 1, title="Next week's tip")
    Notification.objects.filter(object_id=new_tip.pk).update(created_at=later - datetime.timedelta(hours=1))
    assert digests.send_digests("weekly", now=later) == 1
    plain, _ = parts(smtp_server.to(rep.email)[-1])
    assert new_tip.title in plain and plain_tip.title not in plain


@pytest.mark.django_db
def test_a_digest_claimed_by_a_worker_that_died_is_not_sent_again_and_loses_nothing(smtp_server, rep, other_rep):
    _followed_items(rep, other_rep, 2)
    period = digests.period_of("weekly")
    DigestRun.objects.create(user=rep, period=period)  # claimed, then the worker was killed
    assert digests.send_digests("weekly") == 0
    assert not smtp_server.messages
    later = timezone.now() + datetime.timedelta(days=7)
    Notification.objects.update(created_at=later - datetime.timedelta(days=2))
    assert digests.send_digests("weekly", now=later) == 1  # the unsent items come next period
    assert "Tip number 1" in parts(smtp_server.messages[0])[0]


@pytest.mark.django_db
def test_a_worker_killed_mid_run_and_restarted_sends_each_digest_at_most_once(smtp_server, rep, other_rep, monkeypatch):
    """Killed while writing the second person's digest: the restart sends the third, never the first
    again; the second's items wait for the next period rather than risk a double."""
    third = make_rep("third")
    writer = make_rep("writer")
    for person in (rep, other_rep, third):
        _followed_items(person, writer, 2)
    real_message = digests.digest_message

    def killed_at_the_second(user, items, frequency):
        if user == other_rep:
            raise KeyboardInterrupt("the worker was killed")
        return real_message(user, items, frequency)

    monkeypatch.setattr(digests, "digest_message", killed_at_the_second)
    with pytest.raises(KeyboardInterrupt):
        digests.send_digests("weekly")
    assert [m["To"] for m in smtp_server.messages] == [rep.email]

    monkeypatch.setattr(digests, "digest_message", real_message)  # the restarted worker
    assert digests.send_digests("weekly") == 1
    assert digests.send_digests("weekly") == 0
    assert [m["To"] for m in smtp_server.messages] == [rep.email, third.email]
    later = timezone.now() + datetime.timedelta(days=7)
    Notification.objects.filter(recipient=other_rep).update(created_at=later - datetime.timedelta(days=1))
    assert digests.send_digests("weekly", now=later) == 1
    assert smtp_server.messages[-1]["To"] == other_rep.email


@pytest.mark.django_db
def test_daily_digest_people_and_people_who_said_never(smtp_server, rep, other_rep):
    third = make_rep("third")
    for person in (rep, other_rep, third):
        _followed_items(person, make_rep(f"writer-{person.username}"), 1)
    NotificationSettings.objects.create(user=rep, digest="daily")
    NotificationSettings.objects.create(user=other_rep, digest="never")
    assert digests.send_digests("daily") == 1
    assert digests.send_digests("weekly") == 1  # third never chose: weekly by default
    assert sorted(m["To"] for m in smtp_server.messages) == [rep.email, third.email]


@pytest.mark.django_db
def test_a_digest_skips_what_was_read_in_the_app_and_what_came_before_the_last_visit(smtp_server, rep, other_rep):
    read, before_visit, fresh = _followed_items(rep, other_rep, 3)
    Notification.objects.filter(object_id=read.pk).update(read_at=timezone.now())
    visit = timezone.now()
    Notification.objects.filter(object_id=before_visit.pk).update(created_at=visit - datetime.timedelta(hours=2))
    Notification.objects.filter(object_id=fresh.pk).update(created_at=visit + datetime.timedelta(minutes=5))
    NotificationSettings.objects.create(user=rep, last_visit_at=visit)
    assert digests.send_digests("weekly", now=visit + datetime.timedelta(hours=1)) == 1
    plain, _ = parts(smtp_server.messages[0])
    assert fresh.title in plain and read.title not in plain and before_visit.title not in plain


@pytest.mark.django_db
def test_the_send_notifications_command_sends_what_is_due(smtp_server, rep, other_rep, settings):
    from io import StringIO

    from django.core.management import call_command

    _followed_items(rep, other_rep, 2)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    make_micropost(f"Thanks @{rep.username}", author=other_rep)  # its job never ran
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    out = StringIO()
    call_command("send_notifications", stdout=out)
    assert out.getvalue().strip() == (
        "Stale tips told to their authors: 0; e-mails due: 1; chat messages due: 0; digests sent: daily 0, weekly 1"
    )
    subjects = sorted(message["Subject"] for message in smtp_server.to(rep.email))
    assert subjects == ["Peer mentioned you on Huddle", "Your Huddle weekly digest: 2 new items in what you follow"]
