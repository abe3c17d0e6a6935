"""/media/ answers HTTP Range requests, so a video served by Django can seek."""

from pathlib import Path

import pytest
from django.conf import settings
from django.utils.http import http_date

from .factories import TINY_MP4

# An MP4 header followed by 1,000 counted bytes: any slice shows where it came from.
VIDEO = TINY_MP4 + bytes(range(256)) * 4
SIZE = len(VIDEO)


@pytest.fixture
def stored_video():
    path = Path(settings.MEDIA_ROOT) / "media" / "talk.mp4"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(VIDEO)
    return path


URL = "/media/media/talk.mp4"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.django_db
def test_the_whole_file_says_ranges_are_accepted(rep_client, stored_video):
    response = rep_client.get(URL)
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "video/mp4"
    assert response["Content-Length"] == str(SIZE)
    assert response["ETag"].startswith('"') and response["Last-Modified"]
    assert body(response) == VIDEO


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, SIZE - 1),
        ("bytes=-50", SIZE - 50, SIZE - 1),
        ("bytes=1000-999999", 1000, SIZE - 1),  # an end past the file is cut to its size
    ],
)
def test_a_range_gets_206_with_exactly_those_bytes(rep_client, stored_video, header, first, last):
    response = rep_client.get(URL, HTTP_RANGE=header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/{SIZE}"
    assert response["Content-Length"] == str(last - first + 1)
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "video/mp4"
    assert body(response) == VIDEO[first : last + 1]


@pytest.mark.django_db
@pytest.mark.parametrize("header", [f"bytes={SIZE}-", f"bytes={SIZE + 10}-{SIZE + 20}", "bytes=-0"])
def test_a_range_past_the_end_gets_416_with_the_size(rep_client, stored_video, header):
    response = rep_client.get(URL, HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{SIZE}"
    assert response["Accept-Ranges"] == "bytes"


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["bytes=0-9,20-29", "items=0-9", "bytes=abc", "bytes=9-2"])
def test_a_range_not_understood_gets_the_whole_file(rep_client, stored_video, header):
    response = rep_client.get(URL, HTTP_RANGE=header)
    assert response.status_code == 200
    assert body(response) == VIDEO


@pytest.mark.django_db
def test_if_range_with_the_current_etag_or_date_gets_the_range(rep_client, stored_video):
    whole = rep_client.get(URL)
    for validator in (whole["ETag"], whole["Last-Modified"]):
        response = rep_client.get(URL, HTTP_RANGE="bytes=10-19", HTTP_IF_RANGE=validator)
        assert response.status_code == 206
        assert body(response) == VIDEO[10:20]


@pytest.mark.django_db
def test_if_range_after_the_file_changed_gets_the_whole_new_file(rep_client, stored_video):
    """A player resuming a download of an older file must not splice two versions together."""
    old = rep_client.get(URL)
    changed = VIDEO[::-1]
    stored_video.write_bytes(changed + b"!")
    import os

    os.utime(stored_video, (stored_video.stat().st_atime, stored_video.stat().st_mtime + 5))
    for validator in (old["ETag"], old["Last-Modified"], f"W/{old['ETag']}"):
        response = rep_client.get(URL, HTTP_RANGE="bytes=10-19", HTTP_IF_RANGE=validator)
        assert response.status_code == 200
        assert body(response) == changed + b"!"


@pytest.mark.django_db
def test_a_cached_copy_is_confirmed_with_304(rep_client, stored_video):
    etag = rep_client.get(URL)["ETag"]
    response = rep_client.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response["Accept-Ranges"] == "bytes"
    later = http_date(stored_video.stat().st_mtime + 60)
    assert rep_client.get(URL, HTTP_IF_MODIFIED_SINCE=later).status_code == 304


@pytest.mark.django_db
def test_ranges_still_need_a_session(client, stored_video):
    response = client.get(URL, HTTP_RANGE="bytes=0-99")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_head_answers_like_get_without_a_body(rep_client, stored_video):
    response = rep_client.head(URL)
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(SIZE)


@pytest.mark.django_db
@pytest.mark.parametrize(("proxy", "header"), [("nginx", "X-Accel-Redirect"), ("apache", "X-Sendfile")])
def test_behind_a_proxy_django_only_checks_and_hands_over(rep_client, stored_video, settings, proxy, header):
    """nginx or Apache streams the file and answers the ranges itself."""
    settings.MEDIA_ACCEL = proxy
    response = rep_client.get(URL, HTTP_RANGE="bytes=0-99")
    assert response.status_code == 200
    assert response.content == b""
    expected = "/protected-media/media/talk.mp4" if proxy == "nginx" else str(stored_video)
    assert response[header] == expected
    assert response["Content-Type"] == "video/mp4"
