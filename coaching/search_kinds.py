"""Coaching's kinds for the site search: videos, and the moments inside them (transcript cues)."""

from knowledge.sitesearch.searching import Hit, Kind, register_kind


def _videos():
    from .models import CoachingVideoPage

    return CoachingVideoPage.objects.listed().select_related("presenter", "author", "account")


def _describe_video(video, request) -> Hit:
    """Names the presenter as the video's card does: a Huddle user, or an outside expert with their title."""
    presenter = video.presenter or (None if video.presenter_name else video.author)
    outside_expert = ", ".join(part for part in (video.presenter_name, video.presenter_title) if part)
    return Hit(
        kind="video",
        kind_label="Video",
        obj=video,
        title=video.title,
        url=video.get_url(request),
        author=presenter,
        byline="" if video.presenter_id else outside_expert,
        account=video.account,
        date=video.first_published_at,
        helpful_count=video.helpful_count,
    )


def _moments():
    from .models import TranscriptCue

    return TranscriptCue.objects.listed().select_related("video", "video__account", "video__author")


def _describe_moment(cue, request) -> Hit:
    """A line said in a video: the link starts the player at that second."""
    url = f"{cue.video.get_url(request)}#t={int(cue.start_seconds)}"  # TranscriptCue.get_absolute_url, with request
    return Hit(
        kind="moment",
        kind_label="Said in a video",
        obj=cue,
        title=f"{cue.video.title} — at {cue.timestamp}",
        url=url,
        author=cue.video.author,
        account=cue.video.account,
        date=cue.video.first_published_at,
    )


def video_kind() -> Kind:
    return Kind(
        "video",
        "Coaching videos",
        _videos,
        _describe_video,
        lambda video: video.indexed_text(),
        date_field="first_published_at",
    )


def register_moments() -> None:
    """Transcript cues are found too, but are no shared content of their own (no card, no marks)."""
    register_kind(
        Kind(
            "moment",
            "Moments in videos",
            _moments,
            _describe_moment,
            lambda cue: cue.text,
            date_field="",
            tag_model_lookup=None,
            filterable=(),
            tags=None,
        )
    )
