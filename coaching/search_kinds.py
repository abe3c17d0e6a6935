"""Coaching's kinds for the site search: videos, and the moments inside them (transcript cues)."""

from knowledge.sitesearch.searching import Hit, Kind, register_kind, snippet_for


def _videos():
    from .models import CoachingVideoPage

    return CoachingVideoPage.objects.listed().select_related("presenter", "author", "account")


def _describe_video(video, query: str) -> Hit:
    presenter = video.presenter or video.author
    return Hit(kind="video", kind_label="Video", obj=video, title=video.title, url=video.get_url(),
               snippet=snippet_for(video.summary, query), author=presenter, account=video.account,
               date=video.first_published_at, helpful_count=video.helpful_count, tags=list(video.tags.all()))


def _moments():
    from .models import TranscriptCue

    return TranscriptCue.objects.listed().select_related("video", "video__account", "video__author")


def _describe_moment(cue, query: str) -> Hit:
    """A line said in a video: the link starts the player at that second."""
    return Hit(kind="moment", kind_label="Said in a video", obj=cue,
               title=f"{cue.video.title} — at {cue.timestamp}", url=cue.get_absolute_url(),
               snippet=snippet_for(cue.text, query), author=cue.video.author, account=cue.video.account,
               date=cue.video.first_published_at)


def register() -> None:
    register_kind(Kind("video", "Coaching videos", _videos, _describe_video, date_field="first_published_at"))
    register_kind(Kind("moment", "Moments in videos", _moments, _describe_moment, date_field="",
                       tag_model_lookup=None, filterable=(), prefetch=()))
