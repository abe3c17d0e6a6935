"""Must-read announcements: marketing posts to everyone or a team, they stay on top until read,
marketing and managers see who has read them and who not."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from notifications.announcements import post_announcement
from notifications.models import Announcement, AnnouncementReceipt

from .factories import make_rep, make_rep_profile


def announce(client, **fields):
    data = {"title": "New pricing from Monday", "body": "Quote list price 2027.\nDiscounts need a manager.", "team": ""}
    return client.post(reverse("announcement_new"), {**data, **fields})


@pytest.mark.django_db
def test_an_announcement_to_everyone_stays_on_top_until_read(marketer_client, rep, rep_client, other_rep):
    response = announce(marketer_client)
    announcement = Announcement.objects.get()
    assert response.url == reverse("announcement_detail", args=[announcement.pk])
    assert AnnouncementReceipt.objects.filter(read_at__isnull=True).count() == 2  # rep and peer; not the author

    for path in ("/", reverse("notifications")):  # on every page, above the content
        page = rep_client.get(path).content.decode()
        assert 'data-testid="must-read"' in page
        assert page.index("New pricing from Monday") < page.index("<h1")
    assertContains(rep_client.get("/"), "Discounts need a manager.")
    rep_client.post(reverse("announcement_read", args=[announcement.pk]), {"next": "/"})
    assertNotContains(rep_client.get("/"), 'data-testid="must-read"')
    assertContains(rep_client.get(reverse("announcement_detail", args=[announcement.pk])), "New pricing from Monday")


@pytest.mark.django_db
def test_marketing_and_managers_see_who_has_read_it_and_who_not(
    marketer, marketer_client, manager_client, rep, rep_client, other_rep
):
    announce(marketer_client)
    announcement = Announcement.objects.get()
    rep_client.get(reverse("announcement_detail", args=[announcement.pk]))  # opening it is reading it
    assertContains(marketer_client.get(reverse("announcements")), "1 of 3 read")  # rep, peer, manager

    for client in (marketer_client, manager_client):
        page = client.get(reverse("announcement_detail", args=[announcement.pk])).content.decode()
        read, unread = page.split('id="read-heading"')[1].split('id="unread-heading"')
        assert "Rep" in read and "Peer" not in read
        assert "Peer" in unread and "Rep" not in unread
    # The manager has now read it too; a rep sees the announcement but not the receipts.
    assertNotContains(rep_client.get(reverse("announcement_detail", args=[announcement.pk])), "Not read yet")
    assertContains(marketer_client.get(reverse("announcements")), "2 of 3 read")


@pytest.mark.django_db
def test_an_announcement_to_a_team_reaches_its_members_and_manager_only(
    marketer_client, manager, rep, rep_client, other_rep, other_rep_client
):
    profile = make_rep_profile(rep, team="East")
    profile.team.manager = manager
    profile.team.save()
    make_rep_profile(other_rep, team="West")
    announce(marketer_client, team=profile.team.pk, title="East: QBRs move to Thursday")
    announcement = Announcement.objects.get()
    assert set(announcement.receipts.values_list("user__username", flat=True)) == {"rep", "manager"}
    assertContains(rep_client.get("/"), "East: QBRs move to Thursday")
    assertNotContains(other_rep_client.get("/"), "East: QBRs move to Thursday")
    assert other_rep_client.get(reverse("announcement_detail", args=[announcement.pk])).status_code == 403


@pytest.mark.django_db
def test_only_marketing_posts_and_a_missing_title_keeps_the_message(marketer_client, rep_client):
    assert rep_client.get(reverse("announcement_new")).status_code == 403
    assert announce(rep_client).status_code == 403
    response = announce(marketer_client, title="")
    assertContains(response, "This field is required.")
    assertContains(response, "Discounts need a manager.")  # what was typed is kept
    assert not Announcement.objects.exists()


@pytest.mark.django_db
def test_the_header_with_a_must_read_is_still_one_cached_query(marketer, rep, rep_client):
    post_announcement(author=marketer, title="First", body="One")
    post_announcement(author=marketer, title="Second", body="Two")
    with CaptureQueriesContext(connection) as cold:
        page = rep_client.get("/")
    assertContains(page, "Must read · 1 of 2")
    assertContains(page, "First")  # the oldest first
    header = [q["sql"] for q in cold.captured_queries if "notifications_" in q["sql"]]
    assert len(header) == 1, header
    with CaptureQueriesContext(connection) as warm:
        rep_client.get("/")
    assert not [q["sql"] for q in warm.captured_queries if "notifications_" in q["sql"]]


@pytest.mark.django_db
def test_the_read_receipts_page_costs_the_same_for_3_and_30_readers(marketer, marketer_client):
    """No query per reader: the receipts come with their people in one query."""
    counts, made = [], 0
    for readers in (3, 30):
        for number in range(made, readers):
            make_rep(f"reader{number}")
        made = readers
        announcement = post_announcement(author=marketer, title=f"To {readers}", body="Read me")
        marketer_client.get("/")  # the header's state is cached as on any later page
        with CaptureQueriesContext(connection) as queries:
            page = marketer_client.get(reverse("announcement_detail", args=[announcement.pk]))
        assertContains(page, f"Not read yet ({readers})")
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
