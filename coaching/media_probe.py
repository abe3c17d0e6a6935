"""Duration and a poster frame from a video file, when ffprobe/ffmpeg are installed (optional).

Without them (``apt-get install ffmpeg`` adds them) pages still work: the duration then comes
from the transcript or from the browser while someone watches, and there is no poster.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)
PROBE_TIMEOUT_SECONDS = 30


def ffprobe_available() -> bool:
    return bool(shutil.which("ffprobe") and shutil.which("ffmpeg"))


def probe_duration(path: str | Path) -> float | None:
    """Seconds of video according to ffprobe, or None when it is missing or cannot tell."""
    if not shutil.which("ffprobe"):
        return None
    try:
        result = subprocess.run(
            [
                "ffprobe",
                "-v",
                "error",
                "-show_entries",
                "format=duration",
                "-of",
                "json",
                str(path),
            ],
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT_SECONDS,
            check=True,
        )
        return float(json.loads(result.stdout)["format"]["duration"])
    except (subprocess.SubprocessError, OSError, KeyError, ValueError) as error:
        logger.info("ffprobe could not read %s: %s", path, error)
        return None


def extract_poster(path: str | Path, *, at_seconds: float = 1.0) -> bytes | None:
    """One JPEG frame from the video, or None when ffmpeg is missing or fails."""
    if not shutil.which("ffmpeg"):
        return None
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "poster.jpg"
        try:
            subprocess.run(
                [
                    "ffmpeg",
                    "-v",
                    "error",
                    "-y",
                    "-ss",
                    str(at_seconds),
                    "-i",
                    str(path),
                    "-frames:v",
                    "1",
                    "-vf",
                    "scale=960:-2",
                    str(target),
                ],
                capture_output=True,
                timeout=PROBE_TIMEOUT_SECONDS,
                check=True,
            )
        except (subprocess.SubprocessError, OSError) as error:
            logger.info("ffmpeg could not take a poster from %s: %s", path, error)
            return None
        return target.read_bytes() if target.exists() and target.stat().st_size else None


def apply_probe(video_page, media) -> None:
    """Fills the page's duration and poster from its uploaded file, if the tools are there."""
    if not ffprobe_available() or not media or not media.file:
        return
    try:
        path = media.file.path
    except NotImplementedError:  # remote storage: nothing local to probe
        return
    duration = probe_duration(path)
    if duration:
        media.duration = duration
        media.save(update_fields=["duration"])
        video_page.duration_seconds = round(duration)
    frame = extract_poster(path, at_seconds=min(1.0, (duration or 2) / 2))
    if frame:
        from django.core.files.base import ContentFile
        from wagtail.images import get_image_model

        image = get_image_model()(title=f"Poster: {video_page.title}"[:255])
        image.file.save(f"poster-{media.pk}.jpg", ContentFile(frame), save=False)
        image.save()
        video_page.poster = image
