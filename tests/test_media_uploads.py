"""Every kind of file marketing and reps can upload is judged by its content, in the forms and the admin.

No active content from /media/: uploads are judged by content, and /media/ shows inline only
videos, audio and raster images; anything else is a sandboxed, unsniffed download.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pytest_django.asserts import assertContains
from wagtail.models import Collection
from wagtailmedia.models import Media

from coaching.models import CoachingVideoPage

from .factories import TINY_MP4
from .media_support import GIF, HTML, MP3, PNG, POLYGLOT, SVG, assert_download, assert_inline


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def media_form(**files) -> dict:
    data = {"title": "Upload", "collection": Collection.get_first_root_node().pk, "duration": 0, "tags": ""}
    data.update(files)
    return data


# --- Every kind of file marketing and reps can upload, through the real forms and admin.


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("page.html", HTML, "“page.html” is not an audio file Huddle can show"),
        ("drawing.svg", SVG, "“drawing.svg” is not an audio file Huddle can show"),
        ("call.mp3", HTML, "its content is a web page (HTML or SVG)"),
        ("call.mp3", PNG, "its content is a PNG file"),
        ("call.mp3", POLYGLOT, "its content is a web page (HTML or SVG)"),
    ],
)
def test_marketing_cannot_upload_a_page_as_audio(marketer_client, name, content, message):
    """``AUDIO_EXTENSIONS: []`` once let any file in as audio; now name and content must agree."""
    response = marketer_client.post("/admin/media/audio/add/", media_form(file=upload(name, content)))
    assertContains(response, message)
    assert not Media.objects.exists()


@pytest.mark.django_db
def test_marketing_uploads_real_audio_and_a_thumbnail_that_play_inline(marketer_client, rep_client):
    response = marketer_client.post(
        "/admin/media/audio/add/",
        media_form(file=upload("call.mp3", MP3, "audio/mpeg"), thumbnail=upload("cover.gif", GIF, "image/gif")),
    )
    assert response.status_code == 302
    media = Media.objects.get()
    assert media.type == "audio"
    assert_inline(rep_client.get(media.file.url), "audio/mpeg")
    assert_inline(rep_client.get(media.thumbnail.url), "image/gif")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cover.gif", POLYGLOT, "“cover.gif” carries web page markup (HTML or SVG) inside the image"),
        ("cover.gif", HTML, "“cover.gif” is not an image file Huddle can show"),
        ("cover.png", GIF, "its content is a GIF file"),
    ],
)
def test_a_video_thumbnail_must_be_a_plain_image(marketer_client, name, content, message):
    response = marketer_client.post(
        "/admin/media/video/add/",
        media_form(file=upload("talk.mp4", TINY_MP4, "video/mp4"), thumbnail=upload(name, content)),
    )
    assertContains(response, message)
    assert not Media.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (HTML, "“talk.mp4” is not an MP4 or WebM video (its content is a web page (HTML or SVG))"),
        (TINY_MP4 + HTML, "“talk.mp4” carries web page markup (HTML or SVG) inside the video"),
    ],
)
def test_marketing_cannot_upload_a_page_as_video(marketer_client, content, message):
    response = marketer_client.post("/admin/media/video/add/", media_form(file=upload("talk.mp4", content)))
    assertContains(response, message)
    assert not Media.objects.exists()


@pytest.mark.django_db
def test_a_rep_cannot_share_a_page_renamed_as_a_video(rep_client):
    response = rep_client.post("/coaching/new/", {"title": "Sneaky", "file": upload("talk.mp4", HTML, "video/mp4")})
    assert response.status_code == 400
    assertContains(
        response, "“talk.mp4” is not an MP4 or WebM video (its content is a web page (HTML or SVG))", status_code=400
    )
    assert not Media.objects.exists()


@pytest.mark.django_db
def test_a_rep_shares_a_real_video_and_a_transcript_with_markup_in_it(rep_client):
    """The video plays inline; the transcript is text in the database, shown escaped."""
    transcript = "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<script>alert(1)</script>Ask why now.\n"
    response = rep_client.post(
        "/coaching/new/",
        {
            "title": "Why now",
            "file": upload("why.mp4", TINY_MP4, "video/mp4"),
            "transcript_file": upload("why.vtt", transcript.encode(), "text/vtt"),
        },
    )
    assert response.status_code == 302
    video = CoachingVideoPage.objects.get()
    assert_inline(rep_client.get(video.video.url), "video/mp4")
    page = rep_client.get(video.url)
    assertContains(page, "Ask why now.")
    assert b"<script>alert(1)" not in page.content


@pytest.mark.django_db
def test_a_rep_cannot_submit_a_page_as_a_pitch(rep_client):
    from .factories import make_challenge, make_manager

    challenge = make_challenge(created_by=make_manager("mona"))
    response = rep_client.post(
        f"/coaching/challenges/{challenge.pk}/submit/", {"file": upload("pitch.webm", SVG, "video/webm")}
    )
    assertContains(response, "“pitch.webm” is not an MP4 or WebM video", status_code=400)
    assert not Media.objects.exists()


@pytest.fixture
def admin_client_(db):
    """A superuser: the only role that may add Wagtail images and documents."""
    from django.test import Client

    from .factories import make_user

    client = Client()
    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    return client


@pytest.mark.django_db
def test_images_are_shown_only_as_images(admin_client_, rep_client):
    """Wagtail refuses SVG; a GIF carrying a page is kept but only ever sent as image/gif."""
    from wagtail.images.models import Image as WagtailImage

    refused = admin_client_.post(
        "/admin/images/add/",
        {
            "title": "Drawing",
            "file": upload("drawing.svg", SVG, "image/svg+xml"),
            "collection": Collection.get_first_root_node().pk,
            "tags": "",
        },
    )
    assert refused.status_code == 200 and not WagtailImage.objects.exists()
    for name, content in [("photo.png", PNG), ("polyglot.gif", POLYGLOT)]:
        admin_client_.post(
            "/admin/images/add/",
            {
                "title": name,
                "file": upload(name, content),
                "collection": Collection.get_first_root_node().pk,
                "tags": "",
            },
        )
    images = {image.title: image for image in WagtailImage.objects.all()}
    assert set(images) == {"photo.png", "polyglot.gif"}
    assert_inline(rep_client.get(images["photo.png"].file.url), "image/png")
    assert_inline(rep_client.get(images["polyglot.gif"].file.url), "image/gif")


@pytest.mark.django_db
def test_a_document_that_is_a_page_is_only_downloaded(admin_client_, rep_client):
    from wagtail.documents.models import Document

    response = admin_client_.post(
        "/admin/documents/add/",
        {
            "title": "Battlecard",
            "file": upload("battlecard.html", HTML, "text/html"),
            "collection": Collection.get_first_root_node().pk,
            "tags": "",
        },
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.file.url.startswith("/media/documents/")
    assert_download(rep_client.get(document.file.url))
