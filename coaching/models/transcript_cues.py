"""A video's caption lines, each indexed so a search hit links to its second."""

from __future__ import annotations

from django.db import models
from modelsearch.queryset import SearchableQuerySetMixin
from wagtail.search import index

from .videos import CoachingVideoPage


class TranscriptCueQuerySet(SearchableQuerySetMixin, models.QuerySet):
    def listed(self) -> TranscriptCueQuerySet:
        """Cues of live, unretired videos: what site search may show."""
        return self.filter(listed=True)


class TranscriptCue(index.Indexed, models.Model):
    """One caption line of a video, indexed on its own so a search hit links to its second."""

    video = models.ForeignKey(CoachingVideoPage, on_delete=models.CASCADE, related_name="cues")
    start_seconds = models.FloatField()
    end_seconds = models.FloatField()
    text = models.TextField()
    # Copied from the video (live and not retired) so search can filter without a join.
    listed = models.BooleanField(default=False)

    objects = TranscriptCueQuerySet.as_manager()

    # Cues are indexed in bulk by transcripts.replace_cues(), not one save at a time.
    search_auto_update = False
    search_fields = [
        index.SearchField("text"),
        index.FilterField("video"),
        index.FilterField("listed"),
    ]

    class Meta:
        ordering = ["video", "start_seconds", "pk"]
        indexes = [models.Index(fields=["video", "start_seconds"])]

    def __str__(self):
        return f"{self.video_id}@{self.start_seconds:.0f}s: {self.text[:60]}"

    def get_absolute_url(self):
        return f"{self.video.get_url()}#t={int(self.start_seconds)}"

    @property
    def timestamp(self) -> str:
        return format_timestamp(self.start_seconds)


def format_timestamp(seconds: float) -> str:
    """1:23 or 1:02:03, as people write times in a video."""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
