"""The coaching demo data: seeded once, real WebM files that play here, old linked videos given their file."""

import pytest
from wagtailmedia.models import Media

from coaching.models import CoachingVideoPage, PitchSubmission, TranscriptCue

from .coaching_support import seed_demo_coaching
from .factories import make_video


@pytest.mark.django_db
def test_demo_coaching_is_idempotent():
    """seed(context) twice: the second run creates nothing new."""
    first = seed_demo_coaching()
    assert first["videos"] == 3 and first["pitch challenges"] == 2 and first["pitches"] == 3
    assert first["pitch reviews"] >= 3
    assert TranscriptCue.objects.listed().count() > 3
    media_files = Media.objects.count()
    again = seed_demo_coaching()
    assert again == {"videos": 0, "pitch challenges": 0, "pitches": 0, "pitch reviews": 0}
    assert Media.objects.count() == media_files


WEBM_MAGIC = b"\x1a\x45\xdf\xa3"


def _is_real_webm(data: bytes) -> bool:
    return data.startswith(WEBM_MAGIC) and b"webm" in data[:64] and len(data) > 10 * 1024


@pytest.mark.django_db
def test_demo_videos_and_pitches_are_real_files_that_play_here(rep_client):
    """Every seeded video and pitch is a real WebM (not a link to a made-up host, not a stub),
    served inline from /media/, and its transcript's cues fall inside the video."""
    from coaching import demo

    seed_demo_coaching(videos=len(demo.TALKS))
    videos = list(CoachingVideoPage.objects.select_related("video"))
    assert len(videos) == len(demo.TALKS)
    for video in videos:
        assert video.external_url == "" and video.video is not None, video.title
        with video.video.file.open("rb") as handle:
            assert _is_real_webm(handle.read()), video.title
        cues = list(video.cues.all())
        assert cues and cues[-1].end_seconds < video.duration_seconds
        response = rep_client.get(video.video.url, HTTP_RANGE="bytes=0-3")
        assert response.status_code == 206
        assert response["Content-Type"] == "video/webm"
        assert b"".join(response.streaming_content) == WEBM_MAGIC
        poster = rep_client.get(video.poster.file.url)
        assert poster["Content-Type"] == "image/jpeg"
        assert b"".join(poster.streaming_content).startswith(b"\xff\xd8\xff")
    pitches = list(PitchSubmission.objects.select_related("media"))
    assert len(pitches) == 3  # four reps, and "rep" is left to try it
    for pitch in pitches:
        with pitch.media.file.open("rb") as handle:
            assert _is_real_webm(handle.read())
    # One stored copy per talk, however many takes of it the demo holds.
    assert Media.objects.filter(title__startswith="Demo: ").count() == len(demo.TALKS)


def test_every_demo_talk_has_a_committed_video_of_its_length():
    """The committed files are real WebM, small, and as long as their transcript needs."""
    from coaching import demo

    names = [demo.talk_media_name(title) for title, *_ in demo.TALKS]
    names += [demo.pitch_media_name(number) for number in range(len(demo.PITCH_TAKES))]
    for name in names:
        data = (demo.DEMO_MEDIA / name).read_bytes()
        assert _is_real_webm(data), name
        assert len(data) < 300 * 1024, name
    for title, *_ in demo.TALKS:
        poster = (demo.DEMO_MEDIA / demo.talk_poster_name(title)).read_bytes()
        assert poster.startswith(b"\xff\xd8\xff") and 2_000 < len(poster) < 30_000, title
    assert "CC0" in (demo.DEMO_MEDIA / "SOURCE.md").read_text()


@pytest.mark.django_db
def test_seeding_again_gives_old_linked_demo_videos_their_file(rep):
    """A demo seeded before the videos were real (linked to a host that does not exist) plays
    after the next ``make run``."""
    from coaching import demo

    old = make_video(
        "Open discovery with one question",
        author=rep,
        external_url=f"{demo.VIDEO_PORTAL}open-discovery-with-one-question",
    )
    seed_demo_coaching(videos=1)
    old.refresh_from_db()
    assert old.external_url == "" and old.video.title == "Demo: Open discovery with one question"
    assert old.poster.title == "Poster: Demo: Open discovery with one question"
    assert old.get_latest_revision().as_object().video_id == old.video_id
