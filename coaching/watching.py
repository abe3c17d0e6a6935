"""The video page's context, views of it and how far each viewer watched."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.db.models.functions import Greatest

from .models import CoachingVideoPage, WatchProgress


def record_progress(user, video: CoachingVideoPage, *, position: float, duration: float = 0) -> WatchProgress:
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


# Transcript lines shown at once: a long talk's page stays small, the rest comes on request.
TRANSCRIPT_PAGE_SIZE = 200
TRANSCRIPT_PAGE_PARAM = "transcript_page"


def transcript_page(video: CoachingVideoPage, number: str | int | None) -> Page:
    """One page of the video's cues, in order (a bad or too-high number gives the nearest page)."""
    return Paginator(video.cues.all(), TRANSCRIPT_PAGE_SIZE).get_page(number)


def wants_transcript_fragment(request) -> bool:
    """htmx asking for the next lines of the transcript, not the whole page."""
    return bool(request.headers.get("HX-Request")) and TRANSCRIPT_PAGE_PARAM in request.GET


def transcript_context(video: CoachingVideoPage, request) -> dict:
    cue_page = transcript_page(video, request.GET.get(TRANSCRIPT_PAGE_PARAM))
    cues = list(cue_page.object_list)
    return {
        "page": video,
        "cue_page": cue_page,
        "cues": cues,
        "lines_left": cue_page.paginator.count - cue_page.end_index(),
    }


def _transcript_end(video: CoachingVideoPage, cue_page: Page) -> float:
    """Where the last cue ends: read from the lines shown when they are the last ones."""
    if not cue_page.has_next():
        return max((cue.end_seconds for cue in cue_page.object_list), default=0)
    return video.cues.aggregate(end=Max("end_seconds"))["end"] or 0


def video_page_context(video: CoachingVideoPage, request) -> dict:
    if wants_transcript_fragment(request):
        return transcript_context(video, request)
    user = request.user
    previous, following = series_neighbours(video)
    progress = None
    if user.is_authenticated:
        progress = WatchProgress.objects.filter(user=user, video=video).first()
    context = transcript_context(video, request)
    cues = context["cues"]
    duration = (
        video.duration_seconds
        or (progress.duration_seconds if progress else 0)
        or _transcript_end(video, context["cue_page"])
    )
    percent = 0
    if progress and duration:
        percent = min(100, round(100 * progress.furthest_seconds / duration))
    return {
        **context,
        "previous_in_series": previous,
        "next_in_series": following,
        "progress": progress,
        "watched_percent": percent,
        # A transcript is timed throughout or not at all: the lines shown tell which.
        "has_captions": any(cue.end_seconds > cue.start_seconds for cue in cues),
    }
