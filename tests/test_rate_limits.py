"""Posting limits: a sliding window, 429 with Retry-After on every endpoint, edits and uploads counted."""

import types

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from coaching.models import CoachingVideoPage, PitchSubmission
from knowledge import ratelimit
from knowledge.models import Micropost, TipPage

from .factories import make_challenge, make_micropost, make_tip, video_upload
from .test_permissions_cache import redis_url  # noqa: F401  (a redis-server of the test's own)

HTMX = {"HX-Request": "true"}
LIMIT = 10
TOO_FAST = "posting too fast: at most 10 posts every 60 seconds"


@pytest.fixture(autouse=True)
def _ten_a_minute(settings):
    settings.POST_RATE_LIMIT = f"{LIMIT}/60"


@pytest.fixture
def clock(monkeypatch):
    """The limiter's clock, moved by the test; the cache and everything else keep real time."""
    now = [1_000_000_000.0]
    monkeypatch.setattr(ratelimit, "time", types.SimpleNamespace(time=lambda: now[0]))
    return now


def assert_refused(response, *, wait_at_most: int = 61):  # the window plus one bucket of rounding
    assert response.status_code == 429, response.status_code
    assert 1 <= int(response["Retry-After"]) <= wait_at_most
    assertContains(response, TOO_FAST, status_code=429)


@pytest.mark.django_db
def test_eleventh_micropost_gets_429_with_retry_after_and_keeps_the_text(rep_client, clock):
    for number in range(LIMIT):
        assert rep_client.post(reverse("micropost_create"), {"text": f"win {number}"}).status_code == 302
        clock[0] += 1
    response = rep_client.post(reverse("micropost_create"), {"text": "one too many #pricing"})
    assert_refused(response)
    assert int(response["Retry-After"]) == 51  # 10 s in: the first post's one-second bucket leaves 61 s after it
    assertContains(response, "one too many #pricing", status_code=429)
    assert Micropost.objects.count() == LIMIT


@pytest.mark.django_db
def test_eleventh_micropost_from_the_feed_box_gets_429_and_the_box_back(rep_client, clock):
    for number in range(LIMIT):
        assert rep_client.post(reverse("micropost_create"), {"text": f"win {number}"}, headers=HTMX).status_code == 200
    response = rep_client.post(reverse("micropost_create"), {"text": "one too many"}, headers=HTMX)
    assert_refused(response)
    assertContains(response, 'id="micropost-box"', status_code=429)
    assertContains(response, "one too many</textarea>", status_code=429)


@pytest.mark.django_db
def test_the_page_lets_htmx_swap_a_429(rep_client):
    """htmx 2 drops 4xx answers unless told; the box must show the message instead of doing nothing."""
    assertContains(rep_client.get("/"), '{"code": "429", "swap": true, "error": false}')


@pytest.mark.django_db
def test_eleventh_micropost_edit_gets_429(rep_client, rep, clock):
    post = make_micropost("First words", author=rep)
    url = reverse("micropost_edit", args=[post.pk])
    for number in range(LIMIT):
        assert rep_client.post(url, {"text": f"Edit {number} @peer"}).status_code == 302
    response = rep_client.post(url, {"text": "Edit eleven"})
    assert_refused(response)
    assertContains(response, "Edit eleven", status_code=429)
    post.refresh_from_db()
    assert post.text == "Edit 9 @peer"


@pytest.mark.django_db
def test_eleventh_tip_gets_429(rep_client, clock):
    for number in range(LIMIT):
        response = rep_client.post(reverse("tip_create"), {"title": f"Tip {number}", "body": "Short and useful."})
        assert response.status_code == 302, response.status_code
    response = rep_client.post(reverse("tip_create"), {"title": "Tip eleven", "body": "Kept in the box."})
    assert_refused(response)
    assertContains(response, "Kept in the box.", status_code=429)
    assert TipPage.objects.count() == LIMIT


@pytest.mark.django_db
def test_eleventh_tip_edit_gets_429(rep_client, rep, clock):
    tip = make_tip("Original title", author=rep)
    url = reverse("tip_edit", args=[tip.pk])
    for number in range(LIMIT):
        response = rep_client.post(url, {"title": f"Edit {number}", "body": "Body."})
        assert response.status_code == 302, response.status_code
    response = rep_client.post(url, {"title": "Edit eleven", "body": "Body."})
    assert_refused(response)
    assert TipPage.objects.get(pk=tip.pk).get_latest_revision_as_object().title == "Edit 9"


@pytest.mark.django_db
def test_eleventh_comment_gets_429_with_retry_after(rep_client, clock):
    from django_comments.forms import CommentSecurityForm

    tip = make_tip("Commented on")

    def comment(text):
        data = {
            **CommentSecurityForm(tip).generate_security_data(),
            "comment": text,
            "reply_to": 0,
            "honeypot": "",
            "next": tip.url,
        }
        return rep_client.post("/comments/post/", data)

    for number in range(LIMIT):
        assert comment(f"Point {number}").status_code == 302
    response = comment("Point eleven")
    assert_refused(response)
    assertContains(response, "Point eleven</textarea>", status_code=429)


@pytest.mark.django_db
def test_eleventh_video_upload_gets_429(rep_client, clock):
    def share(number, **fields):
        data = {"title": f"Talk {number}", "summary": "", "skills": "discovery", **fields}
        return rep_client.post(reverse("video_create"), data)

    assert share(0, file=video_upload("talk.mp4")).status_code == 302
    for number in range(1, LIMIT):
        assert share(number, external_url=f"https://videos.example.com/{number}").status_code == 302
    response = share(LIMIT, file=video_upload("one-more.mp4"))
    assert_refused(response)
    assertContains(response, 'value="Talk 10"', status_code=429)
    assert CoachingVideoPage.objects.count() == LIMIT
    xhr = rep_client.post(
        reverse("video_create"),
        {"title": "By script", "skills": "discovery", "external_url": "https://videos.example.com/x"},
        headers={"X-Requested-With": "XMLHttpRequest"},
    )
    assert xhr.status_code == 429 and xhr["Retry-After"]
    assert TOO_FAST in xhr.json()["html"]


@pytest.mark.django_db
def test_posts_across_a_window_boundary_never_exceed_the_limit_in_any_window(rep_client, clock):
    """The fixed window let 10 posts at 59 s and 10 more at 60 s through: 20 in one second."""
    clock[0] = 1_000_000_059.0  # one second before a fixed window's boundary
    admitted = []
    for step in range(24):  # 12 s of attempts every half second, across the old boundary
        if rep_client.post(reverse("micropost_create"), {"text": f"burst {step}"}).status_code == 302:
            admitted.append(clock[0])
        clock[0] += 0.5
    assert len(admitted) == LIMIT
    clock[0] = admitted[0] + 61  # the first post's one-second bucket has left the window
    assert rep_client.post(reverse("micropost_create"), {"text": "later"}).status_code == 302


def test_a_steady_stream_of_attempts_never_puts_more_than_the_limit_in_any_window(db, rep, settings):
    """Attempts every 0.7 s for five minutes: every span of 60 s holds at most ten admitted posts,
    and the limiter still admits close to ten a minute."""
    admitted = []
    for step in range(430):
        now = 2_000_000_000.0 + step * 0.7
        try:
            ratelimit.check_post_rate(rep, action="steady", now=now)
        except ratelimit.RateLimited as error:
            assert error.retry_after >= 1
        else:
            admitted.append(now)
    for end in admitted:
        assert sum(1 for moment in admitted if end - 60 < moment <= end) <= LIMIT
    assert len(admitted) >= 45  # 301 s at about ten a minute, minus bucket rounding


def test_the_fixed_window_boundary_is_gone(db, rep):
    """Ten posts in the last second of a minute, ten in the first of the next: the second ten are refused."""
    start = 3_000_000_000 - 3_000_000_000 % 60 + 59.0
    for number in range(LIMIT):
        ratelimit.check_post_rate(rep, action="boundary", now=start + number * 0.05)
    for number in range(LIMIT):
        with pytest.raises(ratelimit.RateLimited):
            ratelimit.check_post_rate(rep, action="boundary", now=start + 1.0 + number * 0.05)


def test_the_limit_holds_on_redis_shared_by_processes(db, rep, settings, request):
    """Production keeps the counters in Redis: the same sliding window, across the boundary too."""
    location = request.getfixturevalue("redis_url")
    settings.CACHES = {"default": {"BACKEND": "config.cache.ResilientRedisCache", "LOCATION": location}}
    start = 3_000_000_000 - 3_000_000_000 % 60 + 59.0
    for number in range(LIMIT):
        ratelimit.check_post_rate(rep, action="redis", now=start + number * 0.05)
    with pytest.raises(ratelimit.RateLimited) as refused:
        ratelimit.check_post_rate(rep, action="redis", now=start + 1.5)
    assert refused.value.retry_after == 60  # the bucket at 59 s leaves the window at 120 s
    ratelimit.check_post_rate(rep, action="redis", now=start + 61)


@pytest.mark.django_db
def test_eleventh_pitch_upload_gets_429(rep_client, manager, clock):
    """Re-submitting a pitch keeps the earlier one: each is a stored video, so each counts."""
    challenge = make_challenge(created_by=manager)
    url = reverse("pitch_submit", args=[challenge.pk])
    for number in range(LIMIT):
        response = rep_client.post(url, {"file": video_upload(f"take-{number}.mp4"), "note": f"Take {number}"})
        assert response.status_code == 302, response.status_code
    response = rep_client.post(url, {"file": video_upload("take-11.mp4"), "note": "Take eleven"})
    assert_refused(response)
    assert PitchSubmission.objects.filter(submitter__username="rep").count() == LIMIT
