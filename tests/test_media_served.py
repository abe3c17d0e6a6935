"""What /media/ sends back for files on disk, from Django and through the nginx sample.

No active content from /media/: uploads are judged by content, and /media/ shows inline only
videos, audio and raster images; anything else is a sandboxed, unsniffed download.
"""

from pathlib import Path

import pytest
from django.conf import settings

from .factories import TINY_MP4, TINY_WEBM
from .media_support import GIF, HTML, MP3, PNG, POLYGLOT, SVG, assert_download, assert_inline

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
