"""A page GET writes nothing; views arrive as a beacon after the page shows, written in batches."""

import re
import socket
import uuid

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.models import Site

from knowledge import viewcounts, writebuffer
from knowledge.models import ContentView, TipPage
from leaderboard.models import ActivityEvent

from .factories import make_micropost, make_rep, make_tip, make_video

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


class WriteRecorder:
    def __init__(self):
        self.writes = []

    def __call__(self, execute, sql, params, many, context):
        if WRITE.match(sql):
            self.writes.append(sql)
        return execute(sql, params, many, context)


def beacon_url(obj) -> str:
    return reverse("view_beacon", args=[ContentType.objects.get_for_model(obj).pk, obj.pk])


def views_of(obj) -> int:
    return type(obj).objects.get(pk=obj.pk).view_count


@pytest.mark.django_db
def test_gets_of_the_load_mix_pages_write_nothing(rep, rep_client, manager_client):
    """Tip, video, home, search and leaderboard pages: not one INSERT, UPDATE or DELETE."""
    author = make_rep("author")
    tip = make_tip("Pricing objections", author=author)
    video = make_video(author=author)
    make_micropost("Discovery call went well #pricing", author=author)
    # Wagtail creates a site's settings rows on their first read ever: a one-off, not a per-GET write.
    site = Site.objects.get(is_default_site=True)
    for model in apps.get_models():
        if issubclass(model, BaseSiteSetting):
            model.for_site(site)
    pages = [
        (rep_client, tip.url),
        (rep_client, video.url),
        (rep_client, "/"),
        (rep_client, reverse("search") + "?q=pricing"),
        (manager_client, reverse("leaderboard")),
    ]
    for client, url in pages:  # first visits, then warm ones
        for _ in range(2):
            recorder = WriteRecorder()
            with connection.execute_wrapper(recorder):
                response = client.get(url)
            assert response.status_code == 200, url
            assert recorder.writes == [], url
    assert ContentView.objects.count() == 0


@pytest.mark.django_db
def test_a_tip_page_asks_for_its_view_to_be_counted_after_it_shows(rep_client, rep):
    tip = make_tip(author=make_rep("author"))
    response = rep_client.get(tip.url)
    assert f'data-view-beacon="{beacon_url(tip)}"' in response.content.decode()


@pytest.mark.django_db
def test_the_beacon_counts_once_per_view_with_the_activity_event(rep, rep_client):
    author = make_rep("author")
    tip = make_tip(author=author)
    assert rep_client.post(beacon_url(tip)).json() == {"counted": True}
    assert rep_client.post(beacon_url(tip)).json() == {"counted": False}  # a reload a moment later
    writebuffer.flush_all()
    assert views_of(tip) == 1
    assert ContentView.objects.filter(user=rep, object_id=tip.pk).count() == 1
    events = ActivityEvent.objects.filter(verb=ActivityEvent.Verb.CONTENT_VIEWED)
    assert [(e.actor_id, e.object_id) for e in events] == [(rep.pk, tip.pk)]


@pytest.mark.django_db
def test_a_beacon_repeated_after_the_window_on_the_same_day_still_counts_once(rep, rep_client):
    from django.core.cache import cache

    tip = make_tip(author=make_rep("author"))
    rep_client.post(beacon_url(tip))
    writebuffer.flush_all()
    cache.clear()  # the short window is over, the day is not
    rep_client.post(beacon_url(tip))
    writebuffer.flush_all()
    assert views_of(tip) == 1
    assert ActivityEvent.objects.filter(verb=ActivityEvent.Verb.CONTENT_VIEWED).count() == 1


@pytest.mark.django_db
def test_videos_count_views_through_the_beacon_too(rep, rep_client):
    video = make_video(author=make_rep("presenter"))
    rep_client.get(video.url)
    assert views_of(video) == 0
    rep_client.post(beacon_url(video))
    writebuffer.flush_all()
    assert views_of(video) == 1


@pytest.mark.django_db
def test_the_beacon_ignores_the_author_anonymous_visitors_and_bad_ids(client, rep, rep_client):
    own = make_tip(author=rep)
    other = make_tip("Another tip", author=make_rep("author"))
    draft = make_tip("Draft", author=make_rep("drafter"), live=False)
    retired = make_tip("Old", author=make_rep("retiree"))
    TipPage.objects.filter(pk=retired.pk).update(retired=True)
    assert rep_client.post(beacon_url(own)).json() == {"counted": False}
    assert rep_client.post(beacon_url(retired)).json() == {"counted": False}
    assert client.post(beacon_url(other)).status_code == 302  # to the sign-in page
    assert rep_client.post(beacon_url(draft)).status_code == 404
    tip_type = ContentType.objects.get_for_model(TipPage).pk
    assert rep_client.post(reverse("view_beacon", args=[tip_type, 999_999])).status_code == 404
    assert rep_client.post(reverse("view_beacon", args=[999_999, other.pk])).status_code == 404
    user_type = ContentType.objects.get(app_label="auth", model="user").pk
    assert rep_client.post(reverse("view_beacon", args=[user_type, rep.pk])).status_code == 404
    assert rep_client.get(beacon_url(other)).status_code == 405
    writebuffer.flush_all()
    assert ContentView.objects.count() == 0
    assert not ActivityEvent.objects.filter(verb=ActivityEvent.Verb.CONTENT_VIEWED).exists()


@pytest.mark.django_db
def test_views_are_written_when_a_batch_fills_without_an_explicit_flush(monkeypatch, rep_client):
    monkeypatch.setattr(writebuffer, "BATCH_SIZE", 3)
    author = make_rep("author")
    tips = [make_tip(f"Tip {n}", author=author) for n in range(3)]
    rep_client.post(beacon_url(tips[0]))  # the first beacon after a quiet spell is written at once
    assert views_of(tips[0]) == 1
    rep_client.post(beacon_url(tips[1]))
    assert len(viewcounts.view_buffer) == 1 and views_of(tips[1]) == 0
    rep_client.post(beacon_url(tips[2]))  # not yet three waiting: still buffered
    assert len(viewcounts.view_buffer) == 2
    reader = Client()
    reader.force_login(make_rep("reader"))
    reader.post(beacon_url(tips[1]))
    assert len(viewcounts.view_buffer) == 0  # the third waiting view filled the batch
    assert [views_of(tip) for tip in tips] == [1, 2, 1]


@pytest.mark.django_db
def test_the_flush_command_writes_what_waits(rep_client, capsys):
    tips = [make_tip(f"Tip {n}", author=make_rep(f"author{n}")) for n in range(2)]
    for tip in tips:
        rep_client.post(beacon_url(tip))
    call_command("flush_write_buffers")
    assert "views: 1 buffered, 1 written." in capsys.readouterr().out
    assert [views_of(tip) for tip in tips] == [1, 1]


@pytest.mark.django_db
def test_an_item_deleted_before_the_flush_leaves_no_view(rep_client):
    tips = [make_tip(f"Tip {n}", author=make_rep(f"author{n}")) for n in range(2)]
    for tip in tips:
        rep_client.post(beacon_url(tip))
    tips[1].delete()
    writebuffer.flush_all()
    assert list(ContentView.objects.values_list("object_id", flat=True)) == [tips[0].pk]


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.mark.django_db
@pytest.mark.skipif(not _redis_up(), reason="needs Redis on 127.0.0.1:6379 (production's cache)")
def test_with_redis_the_buffer_is_shared_and_written_in_one_batch(settings, rep_client):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
            "KEY_PREFIX": f"huddle-test-{uuid.uuid4().hex}",
        }
    }
    from django.core.cache import cache

    try:
        tips = [make_tip(f"Tip {n}", author=make_rep(f"author{n}")) for n in range(4)]
        for tip in tips:
            rep_client.post(beacon_url(tip))
        assert len(viewcounts.view_buffer) == 3  # the first was written at once
        assert len(viewcounts.view_buffer._process) == 0  # waiting in Redis, for any process to write
        assert writebuffer.flush_all()["views"] == 3
        assert [views_of(tip) for tip in tips] == [1, 1, 1, 1]
    finally:
        cache.clear()
