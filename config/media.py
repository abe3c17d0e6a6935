"""Serving uploaded files: HTTP Range requests (video seeking) and nothing active in the page.

Videos, audio and raster images whose name and first bytes agree are shown inline; every other
file (HTML, SVG, PDF, a renamed file) is only downloaded, sandboxed and never sniffed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header, http_date, parse_http_date_safe

from coaching.uploads import SNIFF_BYTES, inline_type

DOWNLOAD_TYPE = "application/octet-stream"
SINGLE_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


@dataclass(frozen=True)
class StoredFile:
    path: Path
    size: int
    mtime: float
    content_type: str
    inline: bool

    @property
    def etag(self) -> str:
        """Strong: the same bytes give the same tag, so If-Range can compare it."""
        return f'"{int(self.mtime * 1_000_000):x}-{self.size:x}"'

    @property
    def last_modified(self) -> str:
        return http_date(self.mtime)


def stored_file(path: Path) -> StoredFile:
    """What a stored file is and how it may be shown, judged by its name and first bytes."""
    stat = path.stat()
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    content_type = inline_type(path.name, head)
    return StoredFile(
        path=path,
        size=stat.st_size,
        mtime=stat.st_mtime,
        content_type=content_type or DOWNLOAD_TYPE,
        inline=content_type is not None,
    )


def requested_range(request: HttpRequest, file: StoredFile) -> tuple[int, int] | None | bool:
    """The (first, last) byte asked for; None for the whole file; False when unsatisfiable.

    Several ranges, a malformed header or an If-Range that no longer matches get the whole
    file, as RFC 9110 allows.
    """
    header = request.headers.get("Range", "").strip()
    match = SINGLE_RANGE.match(header.replace(" ", ""))
    if not match or not _if_range_holds(request, file):
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        length = int(last)
        if length == 0:
            return False
        return max(0, file.size - length), file.size - 1
    start = int(first)
    end = min(int(last), file.size - 1) if last else file.size - 1
    if last and int(last) < start:
        return None
    if start >= file.size:
        return False
    return start, end


def _if_range_holds(request: HttpRequest, file: StoredFile) -> bool:
    condition = request.headers.get("If-Range", "").strip()
    if not condition:
        return True
    if condition.startswith(('"', "W/")):
        return condition == file.etag  # a weak tag never matches (strong comparison)
    since = parse_http_date_safe(condition)
    return since is not None and since == int(file.mtime)


class _ByteRange:
    """A file object that reads only ``length`` bytes from ``start`` (no fileno: no sendfile)."""

    def __init__(self, path: Path, start: int, length: int):
        self._file = path.open("rb")
        self._file.seek(start)
        self._left = length

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        size = self._left if size is None or size < 0 else min(size, self._left)
        data = self._file.read(size)
        self._left -= len(data)
        return data

    def close(self) -> None:
        self._file.close()


def _protect(response: HttpResponseBase, file: StoredFile, *, headers: bool = True) -> None:
    response["Accept-Ranges"] = "bytes"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    if headers and not file.inline:
        # A downloaded HTML or SVG file opened from the downloads bar still runs nothing here.
        response["Content-Disposition"] = content_disposition_header(True, file.path.name)
        response["Content-Security-Policy"] = "sandbox"


def media_response(request: HttpRequest, path: Path, relative: str) -> HttpResponseBase:
    """The stored file at ``path``: whole, one byte range, 304 or 416; or handed to the proxy."""
    file = stored_file(path)
    if settings.MEDIA_ACCEL:
        return _accel_response(file, relative)
    base = HttpResponse(status=200)
    base["ETag"] = file.etag
    base["Last-Modified"] = file.last_modified
    conditional = get_conditional_response(request, etag=file.etag, last_modified=int(file.mtime), response=base)
    if conditional is not base:
        _protect(conditional, file, headers=False)
        return conditional
    wanted = requested_range(request, file)
    if wanted is False:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{file.size}"
        _protect(response, file, headers=False)
        return response
    if wanted is None:
        response = FileResponse(file.path.open("rb"), content_type=file.content_type)
    else:
        start, end = wanted
        response = FileResponse(
            _ByteRange(file.path, start, end - start + 1), content_type=file.content_type, status=206
        )
        response["Content-Length"] = str(end - start + 1)
        response["Content-Range"] = f"bytes {start}-{end}/{file.size}"
    response["ETag"] = file.etag
    response["Last-Modified"] = file.last_modified
    _protect(response, file)
    return response


def _accel_response(file: StoredFile, relative: str) -> HttpResponse:
    """Django decided who may have the file; nginx or Apache streams it and answers ranges."""
    response = HttpResponse(content_type=file.content_type)
    if settings.MEDIA_ACCEL == "nginx":
        # nginx's two locations (deploy/nginx/huddle.conf) set the caching, nosniff, attachment
        # and sandbox headers themselves; sent from here too, some would arrive twice.
        prefix = settings.MEDIA_ACCEL_PREFIX if file.inline else settings.MEDIA_DOWNLOAD_PREFIX
        response["X-Accel-Redirect"] = prefix + quote(relative)
        return response
    response["X-Sendfile"] = str(file.path)  # Apache's mod_xsendfile keeps these headers
    _protect(response, file)
    return response
