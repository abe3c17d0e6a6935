"""Coaching videos: sharing, upload checks, the player page, watch progress, the index."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains
from wagtailmedia.models import Media

from coaching.models import CoachingVideoPage, PitchSubmission, TranscriptCue, WatchProgress
from knowledge import signals as knowledge_signals
from knowledge import writebuffer

from .factories import (
    TINY_MP4,
    TINY_WEBM,
    make_rep,
    make_series,
    make_video,
    video_upload,
)

VTT = (
    "WEBVTT\n\n00:00:01.000 --> 00:00:05.000\nOpen with the customer's words.\n\n"
    "00:01:23.000 --> 00:01:30.000\nAsk about the cost of doing nothing.\n"
)


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
# Routing, series neighbours, progress, cues, permissions, related rows, helpful mark, comment
# thread and related tips (the view is counted by the page's beacon, not by this GET).
VIDEO_QUERIES = 17  # one of them counts the transcript's lines, for its pages


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


@pytest.mark.django_db
def test_marketing_curates_videos_in_the_admin(marketer_client):
    video = make_video("Curate me", transcript=VTT)
    assert marketer_client.get(f"/admin/pages/{video.pk}/edit/").status_code == 200
    video.transcript_source = "WEBVTT\n\n00:00:01.000 => 00:00:02.000\nbroken\n"
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        video.full_clean()
    assert "Line 3: expected a cue timing" in str(error.value.message_dict["transcript_source"])


@pytest.mark.django_db
def test_the_admin_media_upload_checks_content_too(marketer_client):
    from wagtail.models import Collection

    data = {
        "title": "Renamed",
        "collection": Collection.get_first_root_node().pk,
        "duration": 0,
        "tags": "",
    }
    response = marketer_client.post(
        "/admin/media/video/add/", {**data, "file": video_upload("notes.mp4", b"plain text\n" * 30)}
    )
    assertContains(response, "is not an MP4 or WebM video")
    assert not Media.objects.exists()
    marketer_client.post("/admin/media/video/add/", {**data, "file": video_upload()})
    assert Media.objects.get().type == "video"


def seed_demo_coaching(videos: int = 3, seed: int = 7):
    """Coaching's part of seed_demo on a tiny demo: four reps, a manager and a marketer."""
    import io

    from coaching import demo
    from knowledge.demo import SeedContext, Size

    from .factories import make_manager, make_marketer

    size = Size("tiny", reps=4, accounts=0, tips=0, microposts=0, videos=videos, deals=0, activity_events=0)
    User = __import__("django.contrib.auth", fromlist=["get_user_model"]).get_user_model()
    for username in ["rep", "rep001", "rep002", "rep003"]:
        if not User.objects.filter(username=username).exists():
            make_rep(username)
    if not User.objects.filter(username="manager").exists():
        make_manager("manager")
        make_marketer("marketing")
    context = SeedContext(size=size, seed=seed, stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)
    demo.seed(context)
    return context.summary


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


@pytest.mark.django_db
def test_marketing_manages_series_in_the_admin(marketer_client, rep_client):
    series = make_series("Closing")
    make_video("Ask for the order", series=series)
    listing = marketer_client.get("/admin/snippets/coaching/series/")
    assertContains(listing, "Closing")
    response = marketer_client.post(
        "/admin/snippets/coaching/series/add/", {"title": "Discovery", "description": "Questions."}
    )
    assert response.status_code == 302
    from coaching.models import Series

    assert Series.objects.filter(title="Discovery").exists()
    assert rep_client.get("/admin/snippets/coaching/series/").status_code in (302, 403)


@pytest.mark.django_db
def test_a_video_curated_in_the_admin_is_authored_by_its_creator(marketer):
    from coaching.models import CoachingIndexPage

    index = CoachingIndexPage.objects.get()
    video = CoachingVideoPage(
        title="Admin-made",
        slug="admin-made",
        owner=marketer,
        external_url="https://video.example/v/9",
    )
    index.add_child(instance=video)
    video.save_revision(user=marketer).publish(user=marketer)
    video.refresh_from_db()
    assert video.author == marketer
