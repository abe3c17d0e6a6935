"""Video uploads: judged by their first bytes, capped in size while they stream to disk."""

from __future__ import annotations

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


def sniff_video(head: bytes) -> str | None:
    """``"mp4"`` or ``"webm"`` from a file's first bytes, or None for anything else."""
    if len(head) >= 12 and head[4:8] == b"ftyp":  # ISO base media: a box of type "ftyp" comes first
        return "mp4"
    if head.startswith(EBML_MAGIC) and b"webm" in head[:SNIFF_BYTES]:
        return "webm"
    return None


def describe_content(head: bytes) -> str:
    """A word about what a refused file really is, for the error message."""
    if head.startswith(EBML_MAGIC):
        return "a Matroska (mkv) file"
    if not head:
        return "empty"
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
            f"The file is {filesizeformat(upload.size)}; "
            f"videos can be at most {filesizeformat(limit)}.",
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
    return kind


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
        raise ValidationError(
            "The transcript is not a text file (save it as UTF-8 .vtt or .srt)."
        ) from error


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
