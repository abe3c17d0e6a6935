"""Uploads judged by their first bytes (videos, audio, images), capped in size while they stream."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.template.defaultfilters import filesizeformat

EBML_MAGIC = b"\x1a\x45\xdf\xa3"
SNIFF_BYTES = 64
# Caption files are small; a bigger "transcript" is a mistake, not a long talk.
TRANSCRIPT_MAX_BYTES = 2 * 1024 * 1024


def video_limit() -> int:
    return int(getattr(settings, "VIDEO_MAX_UPLOAD_BYTES", 500 * 1024 * 1024))


# What a file's first bytes say it is: one name per container, so ".m4a" and ".mp4" (both ISO
# base media) or ".webp" and ".wav" (both RIFF) are told apart only where it matters.
def sniff_container(head: bytes) -> str | None:
    """The container a file's first bytes announce (``"isobmff"``, ``"png"``…), or None."""
    if len(head) >= 12 and head[4:8] == b"ftyp":  # ISO base media: a box of type "ftyp" comes first
        return "isobmff"
    if head.startswith(EBML_MAGIC):
        return "webm" if b"webm" in head[:SNIFF_BYTES] else "matroska"
    if head.startswith(b"RIFF") and len(head) >= 12:
        return {b"WAVE": "wav", b"WEBP": "webp"}.get(head[8:12])
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"fLaC"):
        return "flac"
    if head.startswith(b"ID3") or (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    return None


def sniff_video(head: bytes) -> str | None:
    """``"mp4"`` or ``"webm"`` from a file's first bytes, or None for anything else."""
    return {"isobmff": "mp4", "webm": "webm"}.get(sniff_container(head))


# Every file /media/ may show in the page: its extension, its type and the container it must be.
# Anything else (HTML, SVG, PDF, a renamed file) is only ever downloaded.
PLAYABLE = {
    "mp4": ("video/mp4", "isobmff"),
    "m4v": ("video/mp4", "isobmff"),
    "webm": ("video/webm", "webm"),
    "mp3": ("audio/mpeg", "mp3"),
    "m4a": ("audio/mp4", "isobmff"),
    "ogg": ("audio/ogg", "ogg"),
    "oga": ("audio/ogg", "ogg"),
    "wav": ("audio/wav", "wav"),
    "flac": ("audio/flac", "flac"),
    "jpg": ("image/jpeg", "jpeg"),
    "jpeg": ("image/jpeg", "jpeg"),
    "png": ("image/png", "png"),
    "gif": ("image/gif", "gif"),
    "webp": ("image/webp", "webp"),
}
AUDIO_EXTENSIONS = ["mp3", "m4a", "ogg", "wav", "flac"]
IMAGE_EXTENSIONS = ["jpg", "jpeg", "png", "gif", "webp"]
# Markup that makes a file a page in disguise (a "polyglot"): a browser that sniffs runs it.
MARKUP = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|script|iframe|svg|object|embed)[\s>/]",
    re.IGNORECASE,
)
MARKUP_SCAN_BYTES = 64 * 1024


def inline_type(name: str, head: bytes) -> str | None:
    """The type to show a stored file inline as, when its name and content agree; else None."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    expected = PLAYABLE.get(extension)
    if expected is None or sniff_container(head) != expected[1]:
        return None
    return expected[0]


def describe_content(head: bytes) -> str:
    """A word about what a refused file really is, for the error message."""
    if not head:
        return "empty"
    if MARKUP.search(head):
        return "a web page (HTML or SVG)"
    if (container := sniff_container(head)) is not None:
        return {"isobmff": "an MP4/M4A file", "matroska": "a Matroska (mkv) file"}.get(
            container, f"a {container.upper()} file"
        )
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "not a video we can play"
    return "text"


def check_video_file(upload) -> str:
    """Validates an uploaded video by size and content; returns its real extension."""
    limit = video_limit()
    if upload.size == 0:
        raise ValidationError("The video file is empty.", code="empty")
    if upload.size > limit:
        raise ValidationError(
            f"The file is {filesizeformat(upload.size)}; videos can be at most {filesizeformat(limit)}.",
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    kind = sniff_video(head)
    if kind is None:
        raise ValidationError(
            f"“{upload.name}” is not an MP4 or WebM video "
            f"(its content is {describe_content(head)}). "
            "Export the video as .mp4 or .webm and try again.",
            code="not_video",
        )
    refuse_markup(upload, what="video")
    return kind


def _head(upload, size: int) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def refuse_markup(upload, *, what: str) -> None:
    """Refuses a file that carries a web page in its first bytes (an image or video polyglot)."""
    if MARKUP.search(_head(upload, MARKUP_SCAN_BYTES)):
        raise ValidationError(
            f"“{upload.name}” carries web page markup (HTML or SVG) inside the {what}; "
            f"export it again from your {what} tool and upload that file.",
            code="markup",
        )


def check_file_kind(upload, *, allowed: list[str], what: str) -> str:
    """Checks that an upload's name is one of ``allowed`` and its content agrees; returns it."""
    if upload.size == 0:
        raise ValidationError(f"The {what} file is empty.", code="empty")
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    head = _head(upload, SNIFF_BYTES)
    kinds = ", ".join(f".{name}" for name in allowed)
    if extension not in allowed or inline_type(upload.name, head) is None:
        article = "an" if what[0] in "aeiou" else "a"
        raise ValidationError(
            f"“{upload.name}” is not {article} {what} file Huddle can show (its content is "
            f"{describe_content(head)}). Upload one of: {kinds}.",
            code="wrong_kind",
        )
    refuse_markup(upload, what=what)
    return extension


def read_transcript_upload(upload) -> str:
    """The text of an uploaded caption file (UTF-8, with or without BOM)."""
    if upload.size > TRANSCRIPT_MAX_BYTES:
        raise ValidationError(
            f"The transcript is {filesizeformat(upload.size)}; caption files can be at most "
            f"{filesizeformat(TRANSCRIPT_MAX_BYTES)}."
        )
    data = upload.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError("The transcript is not a text file (save it as UTF-8 .vtt or .srt).") from error


class VideoSizeLimitHandler(FileUploadHandler):
    """Stops reading an upload once it passes the video size limit: nothing big lands on disk."""

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = video_limit()
        self.received = 0
        self.too_large = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # Refuse at once when the browser announces a body well past the limit.
        if content_length and content_length > self.limit + 1024 * 1024:
            self.too_large = True
        return None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        if self.too_large:
            raise StopUpload(connection_reset=False)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def install_size_limit(request) -> VideoSizeLimitHandler:
    """Puts the size check in front of Django's own handlers; call before reading request.POST."""
    handler = VideoSizeLimitHandler(request)
    request.upload_handlers.insert(0, handler)
    return handler
