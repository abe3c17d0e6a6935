"""The video page's context, views of it and how far each viewer watched."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest

from knowledge.reactions import record_view

from .models import CoachingVideoPage, WatchProgress


def record_progress(
    user, video: CoachingVideoPage, *, position: float, duration: float = 0
) -> WatchProgress:
    """Keeps one row per user and video holding the furthest point reached."""
    position, duration = max(0.0, position), max(0.0, duration)
    rows = WatchProgress.objects.filter(user=user, video=video)
    if not rows.update(
        furthest_seconds=Greatest(F("furthest_seconds"), position),
        duration_seconds=Greatest(F("duration_seconds"), duration),
    ):
        try:
            with transaction.atomic():
                WatchProgress.objects.create(
                    user=user, video=video, furthest_seconds=position, duration_seconds=duration
                )
        except IntegrityError:  # a parallel beacon created the row first
            rows.update(
                furthest_seconds=Greatest(F("furthest_seconds"), position),
                duration_seconds=Greatest(F("duration_seconds"), duration),
            )
    return rows.get()


def series_neighbours(
    video: CoachingVideoPage,
) -> tuple[CoachingVideoPage | None, CoachingVideoPage | None]:
    """The previous and next listed videos in the video's series, in marketing's order."""
    if not video.series_id:
        return None, None
    siblings = list(
        CoachingVideoPage.objects.listed()
        .filter(series_id=video.series_id)
        .order_by("series_position", "title", "pk")
        .only("pk", "title", "url_path", "series_position")
    )
    ids = [sibling.pk for sibling in siblings]
    if video.pk not in ids:
        return None, None
    here = ids.index(video.pk)
    previous = siblings[here - 1] if here > 0 else None
    following = siblings[here + 1] if here + 1 < len(siblings) else None
    return previous, following


def video_page_context(video: CoachingVideoPage, request) -> dict:
    user = request.user
    previous, following = series_neighbours(video)
    progress = None
    if user.is_authenticated:
        progress = WatchProgress.objects.filter(user=user, video=video).first()
        # Tips' rules (one per user, video and day; never the author's), sending ``viewed``.
        record_view(user, video)
    cues = list(video.cues.all())
    duration = (
        video.duration_seconds
        or (progress.duration_seconds if progress else 0)
        or (cues[-1].end_seconds if cues else 0)
    )
    percent = 0
    if progress and duration:
        percent = min(100, round(100 * progress.furthest_seconds / duration))
    return {
        "previous_in_series": previous,
        "next_in_series": following,
        "progress": progress,
        "watched_percent": percent,
        "cues": cues,
        "has_captions": any(cue.end_seconds > cue.start_seconds for cue in cues),
    }
