"""Coaching video pages: the player, watch progress, comments and marks, series, the index, their queries."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from coaching.models import CoachingVideoPage, WatchProgress
from knowledge import signals as knowledge_signals
from knowledge import writebuffer

from .coaching_support import VTT
from .factories import make_rep, make_series, make_video


@pytest.mark.django_db
def test_watch_progress_keeps_the_furthest_point(rep, rep_client):
    video = make_video(transcript=VTT)
    url = reverse("coaching_progress", args=[video.pk])
    for position in (30, 72, 40):
        assert rep_client.post(url, {"position": position, "duration": 120}).status_code == 200
    progress = WatchProgress.objects.get()
    assert (progress.user, progress.furthest_seconds, progress.percent) == (rep, 72, 60)
    page = rep_client.get(video.url)
    assertContains(page, "You watched 60%")
    assertContains(page, 'href="#t=72"')
    assertContains(page, "Continue from 1:12")
    assert rep_client.post(url, {"position": "soon"}).status_code == 400
    assert WatchProgress.objects.count() == 1


@pytest.mark.django_db
def test_opening_a_video_sends_the_viewed_signal(rep, rep_client):
    author = make_rep("presenter")
    video = make_video(author=author)
    seen = []

    def listener(sender, instance, user, **kwargs):
        seen.append((instance.pk, user))

    knowledge_signals.viewed.connect(listener)
    try:
        for _ in range(2):  # each page that shows sends its beacon
            rep_client.get(video.url)
            rep_client.post(reverse("view_beacon", args=[video.content_type_id, video.pk]))
        writebuffer.flush_all()
    finally:
        knowledge_signals.viewed.disconnect(listener)
    assert seen == [(video.pk, rep)]


@pytest.mark.django_db
def test_videos_take_comments_and_helpful_marks_like_tips(rep, rep_client):
    from django.contrib.contenttypes.models import ContentType

    author = make_rep("presenter")
    video = make_video(author=author)
    page = rep_client.get(video.url)
    assertContains(page, 'id="comments-heading"')
    assertContains(page, "Helpful")
    content_type = ContentType.objects.get_for_model(CoachingVideoPage)
    rep_client.post(reverse("helpful_toggle", args=[content_type.pk, video.pk]))
    video.refresh_from_db()
    assert video.helpful_count == 1
    assertContains(rep_client.get("/"), video.title)  # videos join the home stream


@pytest.mark.django_db
def test_series_pages_link_to_previous_and_next(rep_client):
    series = make_series("Discovery basics")
    first = make_video("One: open", series=series, series_position=1)
    second = make_video("Two: dig", series=series, series_position=2)
    third = make_video("Three: confirm", series=series, series_position=3)
    page = rep_client.get(second.url)
    assertContains(page, f'href="{first.url}" rel="prev"')
    assertContains(page, f'href="{third.url}" rel="next"')
    assertNotContains(rep_client.get(first.url), 'rel="prev"')


@pytest.mark.django_db
def test_index_lists_videos_by_newest_series_and_skill(rep_client):
    series = make_series("Negotiation")
    make_video("Anchoring on value", tags=["negotiation"], series=series)
    make_video("First call openers", tags=["discovery"])
    retired = make_video("Old pricing talk", tags=["pricing"])
    CoachingVideoPage.objects.filter(pk=retired.pk).update(retired=True)
    page = rep_client.get("/coaching/")
    assertContains(page, "Anchoring on value")
    assertContains(page, "First call openers")
    assertNotContains(page, "Old pricing talk")
    filtered = rep_client.get("/coaching/?skill=discovery")
    assertContains(filtered, "First call openers")
    assertNotContains(filtered, "Anchoring on value")
    by_series = rep_client.get("/coaching/?view=series")
    assertContains(by_series, '<h2 id="series-')
    assertContains(by_series, "Anchoring on value")
    assertNotContains(by_series, "First call openers")


def _many_videos(count):
    series = make_series("Series A")
    author = make_rep("author")
    for number in range(count):
        make_video(
            f"Video {number}",
            author=author,
            tags=[f"skill{number % 3}"],
            series=series,
            series_position=number,
            transcript=VTT,
        )


# Session, user, site, page routing, tags, counts, progress, permissions, challenges.
INDEX_QUERIES = 10
# Routing, series neighbours, progress, cues, permissions, related rows, comment thread and
# related tips (the view is counted by the page's beacon, not by this GET; the reader's helpful
# marks come from the cache).
VIDEO_QUERIES = 16  # one of them counts the transcript's lines, for its pages


@pytest.mark.parametrize("count", [2, 5])
@pytest.mark.django_db
def test_index_queries_do_not_grow_with_videos(rep_client, count, django_assert_num_queries):
    _many_videos(count)
    rep_client.get("/coaching/")  # warm Wagtail's site cache
    with django_assert_num_queries(INDEX_QUERIES):
        response = rep_client.get("/coaching/")
    assertContains(response, '<article class="card video-card"', count=count)


@pytest.mark.parametrize("count", [2, 5])
@pytest.mark.django_db
def test_video_page_queries_do_not_grow(rep_client, count, django_assert_num_queries):
    _many_videos(count)
    video = CoachingVideoPage.objects.order_by("pk")[1]
    rep_client.get(video.url)
    with django_assert_num_queries(VIDEO_QUERIES):
        response = rep_client.get(video.url)
    assertContains(response, "Open with the customer")
