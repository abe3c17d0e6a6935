"""Background work for coaching: a video's transcript cues and index."""

from django_tasks import task


@task()
def rebuild_transcript_cues(video_id: int) -> int:
    """Rebuilds and indexes the cues of a published video from its transcript (read again)."""
    from .models import CoachingVideoPage
    from .transcripts import replace_cues

    video = CoachingVideoPage.objects.filter(pk=video_id).first()
    if video is None:  # deleted before the worker got to it
        return 0
    return replace_cues(video)
