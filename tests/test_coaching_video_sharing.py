"""Sharing a coaching video: the share form, upload checks, videos hosted elsewhere, serving uploads."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains
from wagtailmedia.models import Media

from coaching.models import CoachingVideoPage, TranscriptCue
from knowledge import signals as knowledge_signals

from .coaching_support import VTT
from .factories import TINY_MP4, TINY_WEBM, video_upload


def caption_upload(text: str = VTT, name: str = "talk.vtt"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode(), content_type="text/vtt")


def share(client, **fields):
    data = {
        "title": "Cost of doing nothing",
        "summary": "",
        "skills": "discovery, Cost of inaction",
    }
    data.update(fields)
    return client.post(reverse("video_create"), data)


def nothing_created():
    return not CoachingVideoPage.objects.exists() and not Media.objects.exists()


@pytest.mark.django_db
def test_rep_shares_a_video_with_a_transcript(rep, rep_client):
    """The page goes live at once, authored by the rep, its transcript searchable line by line."""
    shared = []

    def listener(sender, instance, user, **kwargs):
        shared.append((sender, instance.pk, user))

    knowledge_signals.shared.connect(listener)
    try:
        response = share(rep_client, file=video_upload("my talk.mp4"), transcript_file=caption_upload())
    finally:
        knowledge_signals.shared.disconnect(listener)
    video = CoachingVideoPage.objects.get()
    assert response.status_code == 302 and response["Location"] == video.url
    assert video.live and video.author == rep and video.presenter == rep
    assert video.video.file.name.endswith(".mp4") and video.video.uploaded_by_user == rep
    assert sorted(tag.name for tag in video.tags.all()) == ["cost-of-inaction", "discovery"]  # one spelling per tag
    assert shared == [(CoachingVideoPage, video.pk, rep)]
    assert [cue.start_seconds for cue in TranscriptCue.objects.listed()] == [1.0, 83.0]
    page = rep_client.get(video.url)
    assertContains(page, "Your video is live")
    assertContains(page, f'<source src="{video.video.url}" type="video/mp4">', html=True)
    assertContains(page, f'src="{reverse("coaching_captions", args=[video.pk])}"')
    assertContains(page, 'href="#t=83"')


@pytest.mark.django_db
def test_upload_progress_requests_get_json(rep_client):
    response = rep_client.post(
        reverse("video_create"),
        {"title": "Quick", "file": video_upload()},
        headers={"X-Requested-With": "XMLHttpRequest"},
    )
    assert response.json() == {"redirect": CoachingVideoPage.objects.get().url}
    bad = rep_client.post(reverse("video_create"), {"title": "Quick"}, headers={"X-Requested-With": "XMLHttpRequest"})
    assert bad.status_code == 400 and "Choose a video file" in bad.json()["html"]


@pytest.mark.django_db
def test_a_webm_named_mp4_is_stored_as_webm(rep_client):
    share(rep_client, file=video_upload("talk.mp4", TINY_WEBM))
    assert CoachingVideoPage.objects.get().video.file.name.endswith(".webm")


@pytest.mark.django_db
def test_a_renamed_text_file_is_refused(rep_client):
    response = share(rep_client, file=video_upload("notes.mp4", b"Meeting notes, not a video\n" * 20))
    assert response.status_code == 400
    assertContains(response, "“notes.mp4” is not an MP4 or WebM video (its content is text)", status_code=400)
    assert nothing_created()


@pytest.mark.django_db
def test_an_oversize_file_is_refused(rep_client, settings):
    settings.VIDEO_MAX_UPLOAD_BYTES = 50 * 1024
    response = share(rep_client, file=video_upload("long.mp4", TINY_MP4 + b"\0" * 60 * 1024))
    assertContains(response, "larger than the 50.0\xa0KB limit for videos", status_code=400)
    assert nothing_created()


@pytest.mark.django_db
def test_a_malformed_caption_file_is_refused_with_its_line(rep_client):
    broken = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nfine\n\n00:00:03.000 -> 00:00:04.000\nbroken\n"
    response = share(rep_client, file=video_upload(), transcript_file=caption_upload(broken, "bad.vtt"))
    assertContains(
        response,
        "The transcript could not be read. bad.vtt: Line 6: expected a cue timing",
        status_code=400,
    )
    assert nothing_created()


@pytest.mark.django_db
def test_an_empty_submission_is_refused(rep_client):
    response = rep_client.post(reverse("video_create"), {})
    assertContains(response, "Give the video a title.", status_code=400)
    assertContains(response, "Choose a video file to upload or give a link to the video.", status_code=400)
    assert nothing_created()


@pytest.mark.django_db
def test_a_video_hosted_elsewhere_links_out(rep_client):
    share(
        rep_client,
        external_url="https://videos.example.com/watch/42",
        transcript_text="Plain words only.",
    )
    video = CoachingVideoPage.objects.get()
    page = rep_client.get(video.url)
    assertContains(page, 'href="https://videos.example.com/watch/42"')
    assertNotContains(page, "<video")
    assertContains(page, "Plain words only.")


@pytest.mark.django_db
def test_uploaded_videos_are_only_served_to_signed_in_users(rep_client, client):
    share(rep_client, file=video_upload())
    url = CoachingVideoPage.objects.get().video.url
    assert url.startswith("/media/")
    assert client.get(url)["Location"].startswith("/accounts/login/")
    response = rep_client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(TINY_MP4[:12])


@pytest.mark.skipif(not __import__("shutil").which("ffmpeg"), reason="ffmpeg/ffprobe not installed (optional)")
@pytest.mark.django_db
def test_ffprobe_reads_duration_and_poster_when_installed(rep_client, tmp_path):
    import subprocess

    path = tmp_path / "clip.webm"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=3:size=320x240:rate=10",
            "-c:v",
            "libvpx",
            str(path),
        ],
        check=True,
    )
    share(rep_client, file=video_upload("clip.webm", path.read_bytes(), "video/webm"))
    video = CoachingVideoPage.objects.get()
    assert video.duration_seconds == 3
    assert video.poster is not None
