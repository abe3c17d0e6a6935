"""A tip going stale tells its author once, in the app and by e-mail, and again only after a new lapse."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from knowledge.models import TipPage
from notifications.models import Delivery, Kind, Notification, Preference
from notifications.staleness import tell_stale_authors

from .factories import make_rep, make_tip
from .smtp_server import smtp_server_fixture  # noqa: F401 (the smtp_server fixture)


@pytest.mark.django_db
def test_a_stale_tip_tells_its_author_once_per_lapse(rep, rep_client, mailoutbox):
    today = timezone.localdate()
    tip = make_tip("Quote the 2025 price list", author=rep, verified_until=today - datetime.timedelta(days=3))
    make_tip("Still fresh", author=rep, verified_until=today + datetime.timedelta(days=30))
    make_tip("Never verified", author=rep)

    assert tell_stale_authors() == 1
    assert tell_stale_authors() == 0  # run every few minutes: nobody is told twice
    [row] = Notification.objects.filter(recipient=rep, kind=Kind.STALE)
    lapsed = today - datetime.timedelta(days=3)
    assert (
        row.headline
        == f"Your tip “Quote the 2025 price list” may be out of date: its verification ran out on {lapsed:%-d %b %Y}"
    )
    assert row.email == Delivery.SENT
    assert [message.subject for message in mailoutbox] == [row.headline]
    page = rep_client.get(reverse("notifications"))
    assertContains(page, "Quote the 2025 price list")
    assert rep_client.get(reverse("notification_open", args=[row.pk])).url == tip.url

    # Marketing verifies it again; when that runs out too, the author hears of it once more.
    TipPage.objects.filter(pk=tip.pk).update(verified_until=today - datetime.timedelta(days=1))
    assert tell_stale_authors() == 1
    assert Notification.objects.filter(recipient=rep, kind=Kind.STALE).count() == 2


@pytest.mark.django_db
def test_the_review_reminder_and_the_stale_tip_notification_send_one_e_mail(smtp_server, rep, settings):
    """Both jobs run (cron keeps send_review_reminders, the timer runs send_notifications): one e-mail."""
    from io import StringIO

    from django.core.management import call_command

    today = timezone.localdate()
    make_tip("Quote the 2025 price list", author=rep, verified_until=today - datetime.timedelta(days=3))
    for command in ("send_notifications", "send_review_reminders", "send_notifications", "send_review_reminders"):
        call_command(command, stdout=StringIO())
    [message] = smtp_server.to(rep.email)
    assert message["Subject"].strip().startswith("Your tip “Quote the 2025 price list” may be out of date")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # An author who switched stale-tip e-mail off gets none from either job.
    other = make_rep("other")
    Preference.objects.create(user=other, kind=Kind.STALE, channel="email", enabled=False)
    make_tip("Old discount table", author=other, verified_until=today - datetime.timedelta(days=1))
    for command in ("send_review_reminders", "send_notifications"):
        call_command(command, stdout=StringIO())
    assert not smtp_server.to(other.email)
    assert Notification.objects.filter(recipient=other, kind=Kind.STALE).count() == 1
