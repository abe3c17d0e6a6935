"""How far each person got in each video."""

from django.conf import settings
from django.db import models

from .videos import CoachingVideoPage


class WatchProgress(models.Model):
    """How far one user got in one video: a single row each, keeping the furthest point."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    video = models.ForeignKey(CoachingVideoPage, on_delete=models.CASCADE, related_name="watch_progress")
    furthest_seconds = models.FloatField(default=0)
    duration_seconds = models.FloatField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "video"], name="watch_progress_once_per_user")]

    def __str__(self):
        return f"{self.user_id} watched {self.video_id} to {self.furthest_seconds:.0f}s"

    @property
    def percent(self) -> int:
        if not self.duration_seconds:
            return 0
        return min(100, round(100 * self.furthest_seconds / self.duration_seconds))
